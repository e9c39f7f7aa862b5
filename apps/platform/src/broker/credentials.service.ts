import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isValidDeviceId, type Principal, principalFor } from '@tinyfleet/wire';
import { timingSafeEqual } from 'node:crypto';
import { Repository } from 'typeorm';
import { fingerprint, verifySecret } from '../common/credential-hasher';
import { PlatformEvents } from '../common/platform-events';
import { CONNECTABLE_LIFECYCLES } from '../devices/device-lifecycle';
import { DevicesRepository } from '../devices/devices.repository';
import { Claim } from '../provisioning/claim.entity';

export type AuthFailure = 'bad-credentials' | 'not-authorized';

const CLAIM_PREFIX = 'clm-';

/**
 * Checks MQTT CONNECT credentials. Username = device id (client id must be the same) or claim id
 * (client id = a random provisioning session id); `principalFor` (libs/wire acl.ts) decides which
 * client ids a credential may use, so none can take over a session it does not own. A successful scrypt check is remembered as a
 * SHA-256 fingerprint next to the stored hash it was checked against, so reconnects cost a hash
 * compare; replacing a device's credentials changes the stored hash and so drops the memo. A secret
 * the platform has just issued is remembered the same way, so a new device's first CONNECT is cheap.
 */
@Injectable()
export class CredentialsService implements OnModuleInit {
  private readonly verified = new Map<string, { storedHash: string; fingerprint: Buffer }>();

  constructor(
    private readonly devices: DevicesRepository,
    @InjectRepository(Claim) private readonly claims: Repository<Claim>,
    private readonly events: PlatformEvents,
  ) {}

  onModuleInit(): void {
    // A freshly issued secret is known to match its hash: its first CONNECT needs no scrypt.
    this.events.on('device-credential-issued', (deviceId, storedHash, secretFingerprint) =>
      this.verified.set(deviceId, { storedHash, fingerprint: secretFingerprint }),
    );
  }

  async authenticate(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
    admits: 'devices-and-claims' | 'claims' = 'devices-and-claims',
  ): Promise<Principal | AuthFailure> {
    if (!username || !password) return 'bad-credentials';
    const secret = password.toString('utf8');
    if (username.startsWith(CLAIM_PREFIX)) {
      const principal = principalFor({ kind: 'claim', claimId: username }, clientId);
      if (!principal) return 'not-authorized';
      const claim = await this.claims.findOne({ where: { id: username }, select: { id: true, secretHash: true } });
      if (!claim || !(await this.check(username, secret, claim.secretHash))) return 'bad-credentials';
      return principal;
    }
    // A provisioning-only endpoint (next to an external broker): devices connect to that broker.
    if (admits === 'claims') return 'not-authorized';
    if (!isValidDeviceId(username)) return 'bad-credentials';
    const principal = principalFor({ kind: 'device', deviceId: username }, clientId);
    if (!principal) return 'not-authorized';
    const device = await this.devices.loginFacts(username);
    if (!device || !(await this.check(username, secret, device.secretHash))) return 'bad-credentials';
    // Suspended or decommissioned: the secret is right, but it no longer admits the device.
    if (!CONNECTABLE_LIFECYCLES.includes(device.lifecycle)) return 'not-authorized';
    return principal;
  }

  private async check(username: string, secret: string, storedHash: string): Promise<boolean> {
    const fp = fingerprint(secret);
    const memo = this.verified.get(username);
    if (memo && memo.storedHash === storedHash) return timingSafeEqual(memo.fingerprint, fp);
    if (!(await verifySecret(secret, storedHash))) return false;
    this.verified.set(username, { storedHash, fingerprint: fp });
    return true;
  }
}
