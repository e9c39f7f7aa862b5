import 'reflect-metadata';
import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { BrokerPort, ProvisioningEndpoint } from './broker/broker.port';
import { Client } from 'pg';
import { AppConfig, redact } from './config/app-config';
import { EmbeddedPostgres, startEmbeddedPostgres } from './database/embedded-postgres';

export interface RunningPlatform {
  app: INestApplication;
  config: AppConfig;
  httpUrl: string;
  /** Where devices connect as themselves. */
  mqttUrl: string;
  /** Where devices register by claim: the same as mqttUrl with the embedded broker. */
  provisioningUrl: string;
  /** Where the data lives: a folder (embedded PGlite) or the PostgreSQL URL with the password hidden. */
  databaseLabel: string;
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * Boots the platform from a validated config: the embedded database if no DATABASE_URL, the Nest
 * app (migrations run before it serves), the broker, the HTTP API with /docs, /health, /metrics.
 */
export async function startPlatform(config: AppConfig): Promise<RunningPlatform> {
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl: string;
  let databaseLabel: string;
  if (config.database.mode === 'embedded') {
    embedded = await startEmbeddedPostgres({ dataDir: config.database.dataDir, maxConnections: 20 });
    databaseUrl = embedded.url;
    databaseLabel = `embedded PGlite in ${config.database.dataDir}`;
  } else {
    databaseUrl = config.database.url;
    databaseLabel = redact(config.database.url);
  }

  let app: NestExpressApplication | undefined;
  try {
    const poolSize = await choosePoolSize(databaseUrl);
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, { url: databaseUrl, poolSize }), {
      bufferLogs: true,
      bodyParser: false,
    });
    // Model uploads carry a .tflite and its OTA form as base64: allow them, nothing larger.
    app.useBodyParser('json', { limit: '40mb' });
    app.useLogger(app.get(Logger));
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
    app.enableShutdownHooks();
    const openapi = new DocumentBuilder()
      .setTitle('tinyfleet platform')
      .setDescription(
        'Devices, provisioning claims and inference events of a TinyML fleet. Devices themselves speak MQTT (see docs/protocol.md).',
      )
      .setVersion('1')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        description: 'API_TOKEN, required when the platform listens beyond loopback',
      })
      .build();
    SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, openapi), { jsonDocumentUrl: 'docs-json' });
    await app.listen(config.http.port, config.http.host);
  } catch (err) {
    await app?.close().catch(() => undefined);
    await embedded?.stop();
    throw err;
  }

  const address = app.getHttpServer().address() as AddressInfo;
  const running = app;
  return {
    app: running,
    config,
    httpUrl: `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${address.port}`,
    mqttUrl: running.get(BrokerPort).url(),
    provisioningUrl: running.get(ProvisioningEndpoint).url(),
    databaseLabel,
    databaseUrl,
    close: async () => {
      await running.close();
      await embedded?.stop();
    },
  };
}

/**
 * PGlite behind pglite-socket runs one backend for all connections and interleaves protocol
 * messages of concurrent extended-protocol queries from different connections (seen here as
 * `portal "" does not exist` under load). One connection serialises them on our side; PGlite
 * executes one query at a time anyway, so little is lost. A real PostgreSQL gets a pool.
 */
async function choosePoolSize(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>('SELECT version()');
    return rows[0]?.version.includes('PGlite') ? 1 : 10;
  } catch (err) {
    throw new Error(`cannot connect to the database (${redact(url)}): ${(err as Error).message}`, { cause: err });
  } finally {
    await client.end().catch(() => undefined);
  }
}
