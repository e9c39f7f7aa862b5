import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { AppConfig, redact } from './config/app-config';
import { EmbeddedPostgres, startEmbeddedPostgres } from './database/embedded-postgres';
import { embeddedDatabaseCapacityNote } from './database/embedded-capacity';

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
  /**
   * Settles when a part the platform cannot run without has died (the embedded database process):
   * the caller reports it and exits non-zero instead of serving requests that would hang or fail.
   */
  failed: Promise<Error>;
  close(): Promise<void>;
}

/**
 * Boots the platform from a validated config: the embedded database if no DATABASE_URL, the Nest
 * app (migrations run before it serves), the broker, the HTTP API with /docs, /health, /metrics.
 */
export async function startPlatform(config: AppConfig): Promise<RunningPlatform> {
  // The embedded database starts first, in its own process: PGlite compiles its wasm and opens the
  // data folder on the other core while this process loads Nest's module graph (~1.5 s each).
  const embeddedStart =
    config.database.mode === 'embedded'
      ? startEmbeddedPostgres({ dataDir: config.database.dataDir, maxConnections: 20 })
      : undefined;
  embeddedStart?.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  let nest: Awaited<ReturnType<typeof loadNest>>;
  try {
    nest = await loadNest();
  } catch (err) {
    await embeddedStart?.then((e) => e.stop()).catch(() => undefined);
    throw err;
  }
  const { AppModule, BrokerPort, DocumentBuilder, Logger, NestFactory, ProvisioningEndpoint, SwaggerModule } = nest;

  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl: string;
  let databaseLabel: string;
  if (config.database.mode === 'embedded') {
    embedded = await embeddedStart!;
    databaseUrl = embedded.url;
    databaseLabel = `embedded PGlite in ${config.database.dataDir} (${embeddedDatabaseCapacityNote(config.database.maxOnlineDevices)})`;
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
    app.useGlobalPipes(new nest.ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
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
    // Built on the first request for /docs or /docs-json (~0.3 s of boot otherwise), then kept.
    const served = app;
    SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(served, openapi), {
      jsonDocumentUrl: 'docs-json',
    });
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
    failed: embedded?.exited ?? new Promise<never>(() => undefined),
    close: async () => {
      await running.close();
      await embedded?.stop();
    },
  };
}

/** Nest and the application's module graph: loaded by startPlatform, not by importing this file. */
async function loadNest() {
  const [common, core, swagger, pino, appModule, brokerPort] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('@nestjs/swagger'),
    import('nestjs-pino'),
    import('./app.module'),
    import('./broker/broker.port'),
  ]);
  return {
    ValidationPipe: common.ValidationPipe,
    NestFactory: core.NestFactory,
    DocumentBuilder: swagger.DocumentBuilder,
    SwaggerModule: swagger.SwaggerModule,
    Logger: pino.Logger,
    AppModule: appModule.AppModule,
    BrokerPort: brokerPort.BrokerPort,
    ProvisioningEndpoint: brokerPort.ProvisioningEndpoint,
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
