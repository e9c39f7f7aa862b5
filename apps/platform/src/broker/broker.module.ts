import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { DevicesModule } from '../devices/devices.module';
import { IngestModule } from '../ingest/ingest.module';
import { Claim } from '../provisioning/claim.entity';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { BrokerPort, ProvisioningEndpoint } from './broker.port';
import { CredentialsService } from './credentials.service';
import { EmbeddedBrokerService } from './embedded-broker.service';
import { ExternalBrokerService } from './external-broker.service';
import { MosquittoAuthExporter } from './mosquitto-auth-exporter.service';
import { UplinkRouter } from './uplink-router.service';

@Module({})
export class BrokerModule {
  static forRoot(config: AppConfig): DynamicModule {
    // The platform's own listener always runs: the whole broker, or provisioning next to an external one.
    const devicesOn = config.mqtt.mode === 'embedded' ? EmbeddedBrokerService : ExternalBrokerService;
    const external =
      config.mqtt.mode === 'external'
        ? [ExternalBrokerService, ...(config.mqtt.mosquittoAuthDir ? [MosquittoAuthExporter] : [])]
        : [];
    return {
      module: BrokerModule,
      global: true,
      imports: [TypeOrmModule.forFeature([Claim]), DevicesModule, IngestModule, ProvisioningModule],
      providers: [
        CredentialsService,
        UplinkRouter,
        EmbeddedBrokerService,
        ...external,
        { provide: BrokerPort, useExisting: devicesOn },
        { provide: ProvisioningEndpoint, useExisting: EmbeddedBrokerService },
      ],
      exports: [BrokerPort, ProvisioningEndpoint, UplinkRouter],
    };
  }
}
