import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DeviceCredentialIssuer } from '../broker.port';
import { issueDeviceJwt, readCredsFile, readSigningKeyFile } from './nats-credentials';
import type { NKeyPair } from './nats-jwt';

/** On a NATS cluster a device presents a user JWT the platform signs for it (its own topics only). */
@Injectable()
export class NatsDeviceCredentials extends DeviceCredentialIssuer {
  private readonly signingKey: NKeyPair;
  private readonly account: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    if (config.mqtt.mode !== 'nats') throw new Error('NatsDeviceCredentials needs the nats broker mode');
    this.signingKey = readSigningKeyFile(config.mqtt.deviceSigningKeyFile);
    this.account = readCredsFile(config.mqtt.credsFile).account;
  }

  deviceSecret(deviceId: string): string {
    return issueDeviceJwt(this.signingKey, this.account, deviceId);
  }
}
