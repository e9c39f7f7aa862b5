import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isValidDeviceId, type Principal, principalFor } from '@tinyfleet/wire';
import { Repository } from 'typeorm';
import { BatchedLookup } from '../common/batched-lookup';
import { CredentialHasher } from '../common/credential-hasher';
import { CONNECTABLE_LIFECYCLES } from '../devices/device-lifecycle';
import { DevicesRepository } from '../devices/devices.repository';
import { Claim } from '../provisioning/claim.entity';

export type AuthFailure = 'bad-credentials' | 'not-authorized';

const CLAIM_PREFIX = 'clm-';
/** Keys per lookup statement: the embedded broker checks at most 64 CONNECTs at once (MAX_AUTHENTICATIONS_IN_FLIGHT). */
const LOOKUP_BATCH_MAX = 64;

/**
 * Checks MQTT CONNECT credentials. Username = device id (client id must be the same) or claim id
 * (client id = a random provisioning session id); `principalFor` (libs/wire acl.ts) decides which
 * client ids a credential may use, so none can take over a session it does not own. Every CONNECT
 * is checked against the database (an HMAC costs microseconds), so an instance holds no memo that
 * another instance's credential change would have to invalidate: a primary-key lookup in plain SQL,
 * shared by the CONNECTs checked at the same moment (BatchedLookup), each read after its CONNECT arrived. A hash in an older scheme
 * (scrypt) is rewritten in the current one after it verified.
 */
@Injectable()
export class CredentialsService {
  /** CONNECTs checked at once share their lookups: a primary-key lookup each, one statement per batch. */
  private readonly deviceLogins = new BatchedLookup((ids: string[]) => this.devices.loginFacts(ids), LOOKUP_BATCH_MAX);
  private readonly claimLogins = new BatchedLookup(async (ids: string[]) => {
    const rows: Array<{ id: string; secret_hash: string }> = await this.claims.query(
      `SELECT id, secret_hash FROM claims WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.secret_hash]));
  }, LOOKUP_BATCH_MAX);

  constructor(
    private readonly devices: DevicesRepository,
    @InjectRepository(Claim) private readonly claims: Repository<Claim>,
    private readonly hasher: CredentialHasher,
  ) {}

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
      const secretHash = await this.claimLogins.get(username);
      const upgrade = async (to: string) =>
        void (await this.claims.update({ id: username, secretHash: secretHash! }, { secretHash: to }));
      if (secretHash === undefined || !(await this.check(secret, secretHash, upgrade))) return 'bad-credentials';
      return principal;
    }
    // A provisioning-only endpoint (next to an external broker): devices connect to that broker.
    if (admits === 'claims') return 'not-authorized';
    if (!isValidDeviceId(username)) return 'bad-credentials';
    const principal = principalFor({ kind: 'device', deviceId: username }, clientId);
    if (!principal) return 'not-authorized';
    const device = await this.deviceLogins.get(username);
    const upgrade = (to: string) => this.devices.upgradeSecretHash(username, device!.secretHash, to);
    if (!device || !(await this.check(secret, device.secretHash, upgrade))) return 'bad-credentials';
    // Suspended or decommissioned: the secret is right, but it no longer admits the device.
    if (!CONNECTABLE_LIFECYCLES.includes(device.lifecycle)) return 'not-authorized';
    return principal;
  }

  private async check(secret: string, storedHash: string, upgrade: (to: string) => Promise<void>): Promise<boolean> {
    const verdict = await this.hasher.verify(secret, storedHash);
    if (!verdict.ok) return false;
    if (verdict.upgrade) await upgrade(this.hasher.hash(secret));
    return true;
  }
}
