import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AccuracyModule } from './accuracy/accuracy.module';
import { BrokerModule } from './broker/broker.module';
import { ApiTokenGuard } from './common/api-token.guard';
import { PlatformEvents } from './common/platform-events';
import { PlatformInstance } from './common/platform-instance';
import { TransitionErrorFilter } from './common/transition-error.filter';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DatabaseModule } from './database/database.module';
import { DevicesModule } from './devices/devices.module';
import { DriftModule } from './drift/drift.module';
import { EnergyModule } from './energy/energy.module';
import { EvidenceModule } from './evidence/evidence.module';
import { HealthController } from './health/health.controller';
import { IngestModule } from './ingest/ingest.module';
import { MetricsModule } from './metrics/metrics.module';
import { OtaModule } from './ota/ota.module';
import { ProvisioningModule } from './provisioning/provisioning.module';

@Module({})
class EventsModule {
  static forRoot(): DynamicModule {
    return {
      module: EventsModule,
      global: true,
      providers: [PlatformEvents, PlatformInstance],
      exports: [PlatformEvents, PlatformInstance],
    };
  }
}

/** The platform: HTTP API, MQTT (embedded or external broker), ingest into PostgreSQL. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: { url: string; poolSize: number }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            autoLogging: { ignore: (req) => req.url === '/metrics' || req.url === '/health' },
            quietReqLogger: true,
          },
        }),
        EventsModule.forRoot(),
        MetricsModule,
        DatabaseModule.forRoot(database.url, database.poolSize),
        DevicesModule,
        EnergyModule,
        IngestModule,
        ProvisioningModule,
        BrokerModule.forRoot(config),
        OtaModule,
        AccuracyModule,
        DriftModule,
        EvidenceModule,
        DashboardModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: ApiTokenGuard },
        { provide: APP_FILTER, useClass: TransitionErrorFilter },
      ],
    };
  }
}
