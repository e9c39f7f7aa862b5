import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, NatsConnection } from 'nats';
import { PlatformEvents } from '../../common/platform-events';
import { APP_CONFIG, AppConfig, NatsBrokerConfig } from '../../config/app-config';
import {
  applicationAccountJwt,
  readCredsFile,
  readOperatorSigningKeyFile,
  readSigningKeyFile,
} from './nats-credentials';
import type { NKeyPair } from './nats-jwt';
import { NatsRevocationsRepository } from './nats-revocations.repository';

/** How long a push waits for a node's answer; a push that fails is tried again after RETRY_MS. */
const PUSH_TIMEOUT_MS = 5000;
const RETRY_MS = 5000;
/**
 * Every node sends its statistics on this subject soon after it starts and then periodically, under
 * a server id that is new with each start: a node the platform has not heard from may have missed
 * pushes while it was down (its `full` resolver catches up only at its next sync, measured over two
 * minutes), so it gets one. Bounded: a node that restarts every second for a day is 86,400 ids.
 */
const SERVER_STATS_SUBJECT = '$SYS.SERVER.*.STATSZ';
const MAX_KNOWN_SERVERS = 100_000;

/** The cluster refused a pushed account JWT (a wrong operator signing key, a malformed JWT). */
export class NatsRevocationRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NatsRevocationRefusedError';
  }
}

interface Revoker {
  natsUrls: string[];
  operatorSigningKey: NKeyPair;
  systemCredsFile: string;
  deviceSigningKey: string;
  account: string;
}

const nowS = (): number => Math.floor(Date.now() / 1000);

/**
 * Revokes device JWTs on the NATS cluster (docs/scale-out.md, "Revoking device JWTs"), which
 * would otherwise stay valid for good. The application account JWT lists revoked user keys; every
 * node refuses a JWT whose subject is listed and closes its open connections. When a device is
 * suspended, resumed or decommissioned, or a re-registration replaces its JWT, the platform
 * re-signs the account with every revocation the database holds and pushes it over a
 * system-account connection (`$SYS.REQ.CLAIMS.UPDATE`, the `full` resolver stores it on every
 * node). Pushes from all instances are serialized by an advisory lock and carry increasing `iat`s,
 * so the newest one — which every node keeps — reflects every change committed before it. A push
 * that fails is retried; each instance also pushes once at boot, catching up on a failed one.
 */
@Injectable()
export class NatsRevocationsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('NatsRevocations');
  private readonly revoker?: Revoker;
  private system?: NatsConnection;
  /** The push that has not started reading the database yet: a change made now is in it. */
  private queued?: Promise<void>;
  private last: Promise<void> = Promise.resolve();
  private retry?: NodeJS.Timeout;
  private closing = false;
  private readonly knownServers = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repo: NatsRevocationsRepository,
    private readonly events: PlatformEvents,
  ) {
    const cfg: NatsBrokerConfig | undefined = config.mqtt.mode === 'nats' ? config.mqtt : undefined;
    if (!cfg) throw new Error('NatsRevocationsService needs the nats broker mode');
    if (cfg.revocation) {
      // Read now, so a wrong file fails the boot rather than the first suspension.
      readCredsFile(cfg.revocation.systemCredsFile);
      this.revoker = {
        natsUrls: cfg.natsUrls,
        operatorSigningKey: readOperatorSigningKeyFile(cfg.revocation.operatorSigningKeyFile),
        systemCredsFile: cfg.revocation.systemCredsFile,
        deviceSigningKey: readSigningKeyFile(cfg.deviceSigningKeyFile).getPublicKey(),
        account: readCredsFile(cfg.credsFile).account,
      };
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.revoker) {
      this.log.warn(
        'NATS_OPERATOR_SIGNING_KEY and NATS_SYSTEM_CREDS are not set: device JWTs cannot be revoked, so a ' +
          'replaced, suspended or decommissioned device can still connect to the cluster (docs/scale-out.md)',
      );
      return;
    }
    this.system = await connect({
      servers: this.revoker.natsUrls,
      authenticator: credsAuthenticator(readFileSync(this.revoker.systemCredsFile)),
      name: `tinyfleet-revocations-${process.pid}`,
      maxReconnectAttempts: -1,
    });
    this.events.on('device-lifecycle', () => void this.push());
    this.pushToNewServers(this.system).catch((err: unknown) =>
      this.log.error(`stopped following the cluster's servers (${SERVER_STATS_SUBJECT}): ${String(err)}`),
    );
    try {
      await this.pushNow();
    } catch (err) {
      // A refusal is a configuration error (keys of another cluster): stop here, not at the first suspension.
      if (err instanceof NatsRevocationRefusedError) throw err;
      this.log.error(`could not push the account's revocations at boot: ${String(err)}; retrying`);
      this.scheduleRetry();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retry);
    await this.last;
    await this.system?.drain().catch(() => undefined);
  }

  /** Records the JWT a device was just issued; if it replaced one, revokes that one before returning. */
  async deviceJwtIssued(deviceId: string, userKey: string): Promise<void> {
    const replaced = await this.repo.recordIssued(deviceId, userKey, nowS());
    if (replaced && this.revoker) await this.push();
  }

  /**
   * Pushes the account with every revocation committed so far; changes that arrive while a push
   * is under way share the next one. Resolves when it is applied, or logged and scheduled again.
   */
  push(): Promise<void> {
    if (!this.revoker || this.closing) return Promise.resolve();
    if (this.queued) return this.queued;
    const run = this.last.then(async () => {
      this.queued = undefined;
      try {
        await this.pushNow();
      } catch (err) {
        this.log.error(`could not push the account's revocations: ${String(err)}; retrying in ${RETRY_MS} ms`);
        this.scheduleRetry();
      }
    });
    this.queued = run;
    this.last = run;
    return run;
  }

  private async pushToNewServers(system: NatsConnection): Promise<void> {
    for await (const m of system.subscribe(SERVER_STATS_SUBJECT)) {
      const serverId = m.subject.split('.')[2]!;
      if (this.knownServers.has(serverId)) continue;
      if (this.knownServers.size >= MAX_KNOWN_SERVERS) this.knownServers.clear();
      this.knownServers.add(serverId);
      void this.push();
    }
  }

  private scheduleRetry(): void {
    if (this.closing || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.push();
    }, RETRY_MS);
    this.retry.unref();
  }

  private async pushNow(): Promise<void> {
    const revoker = this.revoker!;
    const { count, issuedAtS } = await this.repo.underPushLock(async (tx) => {
      const now = nowS();
      const revocations: Record<string, number> = {};
      for (const r of await tx.revokedKeys(now)) revocations[r.userKey] = r.revokedAtS;
      // Later than the last push even if this instance's clock is behind: a node keeps the newest iat only.
      const issuedAtS = Math.max(now, ((await tx.lastPushedIssuedAtS(revoker.account)) ?? 0) + 1);
      const jwt = applicationAccountJwt(revoker.operatorSigningKey, revoker.account, revoker.deviceSigningKey, {
        revocations,
        iatS: issuedAtS,
      });
      const reply = await this.system!.request('$SYS.REQ.CLAIMS.UPDATE', new TextEncoder().encode(jwt), {
        timeout: PUSH_TIMEOUT_MS,
      });
      const answer = JSON.parse(new TextDecoder().decode(reply.data)) as {
        data?: { code?: number };
        error?: { code?: number; description?: string };
      };
      if (answer.data?.code !== 200)
        throw new NatsRevocationRefusedError(`the cluster refused the account JWT: ${JSON.stringify(answer)}`);
      await tx.recordPush(revoker.account, issuedAtS);
      return { count: Object.keys(revocations).length, issuedAtS };
    });
    this.log.log(`pushed the account with ${count} revoked device JWTs (iat ${issuedAtS})`);
  }
}
