import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DeviceCredentialIssuer } from '../broker.port';
import { issueDeviceJwt, readCredsFile, readSigningKeyFile } from './nats-credentials';
import type { NKeyPair } from './nats-jwt';
import { NatsRevocationsService } from './nats-revocations.service';

/**
 * On a NATS cluster a device presents a user JWT the platform signs for it (its own topics only);
 * its subject is recorded, so the JWT can be revoked, and the one it replaces is.
 */
@Injectable()
export class NatsDeviceCredentials extends DeviceCredentialIssuer {
  private readonly signingKey: NKeyPair;
  private readonly account: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly revocations: NatsRevocationsService,
  ) {
    super();
    if (config.mqtt.mode !== 'nats') throw new Error('NatsDeviceCredentials needs the nats broker mode');
    this.signingKey = readSigningKeyFile(config.mqtt.deviceSigningKeyFile);
    this.account = readCredsFile(config.mqtt.credsFile).account;
  }

  async deviceSecret(deviceId: string): Promise<string> {
    const { jwt, userKey } = issueDeviceJwt(this.signingKey, this.account, deviceId);
    await this.revocations.deviceJwtIssued(deviceId, userKey);
    return jwt;
  }
}
