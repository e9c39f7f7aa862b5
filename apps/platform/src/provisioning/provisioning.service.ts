import { Injectable, Logger } from '@nestjs/common';
import { MCU_PROFILES, RADIO_PROFILES } from '@tinyfleet/energy';
import type { ProvisionRefusalReason, ProvisionRequestV1, ProvisionResponseV1 } from '@tinyfleet/wire';
import { CredentialHasher, generateId, generateSecret, hashForMosquitto } from '../common/credential-hasher';
import { PlatformEvents } from '../common/platform-events';
import type { Device } from '../devices/device.entity';
import { evidenceKeyOf } from '../evidence/evidence-key';
import { MetricsService } from '../metrics/metrics.service';
import { Claim, provisioningScope } from './claim.entity';
import { claimState } from './claims.service';
import { RateLimiter } from './rate-limiter';
import { RegistrationScope, RegistrationsRepository } from './registrations.repository';

/**
 * Registrations this process works on at once. Each one hashes on the libuv thread pool (4 threads by
 * default) and holds a claim lock in the database; more in flight only queue behind them and slow
 * every device down until timeouts turn into retries. Over it a device is refused `overloaded` with a
 * retry hint, before any work. Per process: N platform instances each shed their own load.
 */
export const MAX_REGISTRATIONS_IN_FLIGHT = 16;

const STATE_REFUSALS: Record<string, ProvisionRefusalReason> = {
  expired: 'claim-expired',
  exhausted: 'claim-exhausted',
  revoked: 'claim-revoked',
};

/**
 * Registration by claim (AWS IoT "fleet provisioning by claim", with an explicit re-registration
 * policy and a reason code on every refusal). The claim secret was checked when the device
 * connected; here we check what the claim allows and issue the device its own identity. A known
 * hardware id follows the policy of the claim it registers through, but only within the scope it
 * is bound to (its claim's group, or that claim): hardware ids are often serial numbers or MAC
 * addresses, so knowing one must not let another claim's holder take the device over.
 */
@Injectable()
export class ProvisioningService {
  private readonly log = new Logger(ProvisioningService.name);
  private readonly limiter = new RateLimiter();
  private inFlight = 0;
  /** Smoothed duration of one registration (ms): sizes the `overloaded` retry hint. */
  private registrationMs = 100;

  constructor(
    private readonly registrations: RegistrationsRepository,
    private readonly metrics: MetricsService,
    private readonly events: PlatformEvents,
    private readonly hasher: CredentialHasher,
  ) {}

  /** A request that could not be decoded: refused with `invalid-request`, and kept in the claim's audit trail. */
  async refuseUnreadable(claimId: string): Promise<ProvisionResponseV1> {
    const response = refused('invalid-request');
    await this.registrations
      .audit({ claimId, hardwareId: null, outcome: 'refused', reason: 'invalid-request', deviceId: null })
      .catch((err: unknown) => {
        // The claim may be gone by now (foreign key); the refusal stands either way.
        this.log.warn(`could not audit an unreadable request of claim ${claimId}: ${String(err)}`);
      });
    this.metrics.provisioning.inc({ outcome: 'refused:invalid-request' });
    return response;
  }

  /** `register`, or `overloaded` at once when MAX_REGISTRATIONS_IN_FLIGHT are already being served. */
  async registerUnlessOverloaded(claimId: string, req: ProvisionRequestV1): Promise<ProvisionResponseV1> {
    if (this.inFlight >= MAX_REGISTRATIONS_IN_FLIGHT) {
      this.metrics.provisioning.inc({ outcome: 'refused:overloaded' });
      // The slots free up within about one registration; devices add their own jittered backoff.
      return refused('overloaded', Math.min(60, Math.max(1, Math.ceil(this.registrationMs / 1000))));
    }
    this.inFlight++;
    const startedMs = Date.now();
    try {
      return await this.register(claimId, req);
    } finally {
      this.inFlight--;
      this.registrationMs = 0.9 * this.registrationMs + 0.1 * (Date.now() - startedMs);
    }
  }

  async register(claimId: string, req: ProvisionRequestV1, now = new Date()): Promise<ProvisionResponseV1> {
    // Made before the claim is locked, so the lock is held only for the rows it guards.
    const credential = await this.newCredential();
    const response = await this.registrations.underClaimLock(
      claimId,
      async (scope) => (scope.claim ? this.decide(scope, scope.claim, req, now, credential) : refused('claim-revoked')),
      (res) => ({
        claimId,
        hardwareId: req.hardwareId,
        outcome: res.status,
        reason: res.status === 'refused' ? res.reason : null,
        deviceId: res.status === 'refused' ? null : res.deviceId,
      }),
    );
    this.metrics.provisioning.inc({
      outcome: response.status === 'refused' ? `refused:${response.reason}` : response.status,
    });
    if (response.status === 'registered' || response.status === 'replaced') {
      this.events.emit('credentials-changed');
    }
    if (response.status === 'registered') this.events.emit('device-registered', response.deviceId);
    if (response.status === 'refused')
      this.log.warn(`claim ${claimId} refused hardware ${req.hardwareId}: ${response.reason}`);
    else this.log.log(`claim ${claimId}: hardware ${req.hardwareId} ${response.status} as ${response.deviceId}`);
    return response;
  }

  private async decide(
    tx: RegistrationScope,
    claim: Claim,
    req: ProvisionRequestV1,
    now: Date,
    credential: Credential,
  ): Promise<ProvisionResponseV1> {
    const state = claimState(claim, now);
    if (state !== 'active') return refused(STATE_REFUSALS[state]!);
    // Energy figures and model admission need the part and the radio: an unknown one would register,
    // then be skipped by every rollout.
    if (!(req.mcuProfile in MCU_PROFILES) || !(req.radioProfile in RADIO_PROFILES)) return refused('unknown-profile');
    if (
      (claim.mcuProfile && claim.mcuProfile !== req.mcuProfile) ||
      (claim.sensorStream && claim.sensorStream !== req.sensorStream)
    ) {
      return refused('profile-not-allowed');
    }
    const retryAfterS = this.limiter.take(claim.id, claim.rateLimitPerMinute, now.getTime());
    if (retryAfterS > 0) return refused('rate-limited', retryAfterS);

    const devices = tx.devices;
    const existing = await devices.findByHardwareId(req.hardwareId);
    const scope = provisioningScope(claim);
    if (existing) {
      if (existing.provisioningScope !== null && existing.provisioningScope !== scope)
        return refused('hardware-id-bound');
      if (claim.reregistrationPolicy === 'refuse') return refused('hardware-id-taken');
      if (existing.lifecycle === 'DECOMMISSIONED') return refused('hardware-id-taken');
      const reissue = claim.reregistrationPolicy !== 'reuse';
      await devices.reregister(
        existing.id,
        { ...describe(req), claimId: claim.id, provisioningScope: scope },
        reissue ? { secretHash: credential.secretHash, brokerHash: credential.brokerHash } : null,
      );
      if (reissue) await devices.setEvidenceKey(existing.id, evidenceKeyOf(credential.secret));
      // A registered device registers again: it is PROVISIONED until it connects with what it got
      // (a suspended one stays suspended: re-registering is no way around the operator).
      if (existing.lifecycle === 'ACTIVE') await devices.transitionLifecycle(existing.id, 'ACTIVE', 'PROVISIONED');
      if (!reissue) return { status: 'reused', deviceId: existing.id, deviceSecret: null, mqttUsername: existing.id };
      return { status: 'replaced', deviceId: existing.id, deviceSecret: credential.secret, mqttUsername: existing.id };
    }

    const id = generateId('dev');
    await devices.insert({
      id,
      hardwareId: req.hardwareId,
      claimId: claim.id,
      provisioningScope: scope,
      ...describe(req),
      tags: claim.tags,
      lifecycle: 'PROVISIONED',
      connectivity: 'OFFLINE',
      secretHash: credential.secretHash,
      brokerHash: credential.brokerHash,
      credentialsVersion: 1,
      eventsCount: '0',
      rejectedCount: '0',
    });
    await devices.setEvidenceKey(id, evidenceKeyOf(credential.secret));
    await tx.countUse();
    return { status: 'registered', deviceId: id, deviceSecret: credential.secret, mqttUsername: id };
  }

  private async newCredential(): Promise<Credential> {
    const secret = generateSecret();
    return { secret, secretHash: this.hasher.hash(secret), brokerHash: await hashForMosquitto(secret) };
  }
}

function describe(
  req: ProvisionRequestV1,
): Pick<Device, 'mcuProfile' | 'radioProfile' | 'sensorStream' | 'firmwareVersion' | 'interpreterVersion'> {
  return {
    mcuProfile: req.mcuProfile,
    radioProfile: req.radioProfile,
    sensorStream: req.sensorStream,
    firmwareVersion: req.firmwareVersion,
    interpreterVersion: req.interpreterVersion,
  };
}

function refused(reason: ProvisionRefusalReason, retryAfterS: number | null = null): ProvisionResponseV1 {
  return { status: 'refused', reason, retryAfterS };
}

interface Credential {
  secret: string;
  secretHash: string;
  brokerHash: string;
}
