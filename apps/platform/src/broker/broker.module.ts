import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { DevicesModule } from '../devices/devices.module';
import { IngestModule } from '../ingest/ingest.module';
import { Claim } from '../provisioning/claim.entity';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { BrokerPort, DeviceCredentialIssuer, IssuedSecret, ProvisioningEndpoint } from './broker.port';
import { CredentialsService } from './credentials.service';
import { EmbeddedBrokerService } from './embedded-broker.service';
import { ExternalBrokerService } from './external-broker.service';
import { MosquittoAuthExporter } from './mosquitto-auth-exporter.service';
import { NatsBrokerService } from './nats/nats-broker.service';
import { NatsDeviceCredentials } from './nats/nats-device-credentials';
import { NatsRevocationsRepository } from './nats/nats-revocations.repository';
import { NatsRevocationsService } from './nats/nats-revocations.service';
import { UplinkRouter } from './uplink-router.service';

@Module({})
export class BrokerModule {
  static forRoot(config: AppConfig): DynamicModule {
    // The platform's own listener always runs: the whole broker, or provisioning next to an external one.
    const mode = config.mqtt.mode;
    const devicesOn: Type<BrokerPort> =
      mode === 'embedded' ? EmbeddedBrokerService : mode === 'external' ? ExternalBrokerService : NatsBrokerService;
    const modeProviders: Provider[] =
      mode === 'external'
        ? [ExternalBrokerService, ...(config.mqtt.mosquittoAuthDir ? [MosquittoAuthExporter] : [])]
        : mode === 'nats'
          ? [NatsBrokerService, NatsRevocationsRepository, NatsRevocationsService]
          : [];
    return {
      module: BrokerModule,
      global: true,
      imports: [TypeOrmModule.forFeature([Claim]), DevicesModule, IngestModule, ProvisioningModule],
      providers: [
        CredentialsService,
        UplinkRouter,
        EmbeddedBrokerService,
        ...modeProviders,
        { provide: BrokerPort, useExisting: devicesOn },
        { provide: ProvisioningEndpoint, useExisting: EmbeddedBrokerService },
        { provide: DeviceCredentialIssuer, useClass: mode === 'nats' ? NatsDeviceCredentials : IssuedSecret },
      ],
      exports: [BrokerPort, ProvisioningEndpoint, UplinkRouter],
    };
  }
}
