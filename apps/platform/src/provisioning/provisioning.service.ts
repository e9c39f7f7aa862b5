import { Injectable, Logger } from '@nestjs/common';
import { MCU_PROFILES, RADIO_PROFILES } from '@tinyfleet/energy';
import type { ProvisionRefusalReason, ProvisionRequestV1, ProvisionResponseV1 } from '@tinyfleet/wire';
import { CredentialHasher, generateId, generateSecret, hashForMosquitto } from '../common/credential-hasher';
import { GroupCommitQueue } from '../common/group-commit-queue';
import { PlatformEvents } from '../common/platform-events';
import type { Device } from '../devices/device.entity';
import { evidenceKeyOf } from '../evidence/evidence-key';
import { MetricsService } from '../metrics/metrics.service';
import { provisioningScope } from './claim.entity';
import { claimState } from './claims.service';
import {
  AttemptRecord,
  ClaimFacts,
  ClaimGate,
  HardwareFacts,
  NewDevice,
  NewRegistration,
  RegistrationFacts,
  RegistrationsRepository,
} from './registrations.repository';

/**
 * Registrations this process works on at once. Each one is a statement or two on the database pool
 * (no lock held between round trips), with its hashes on the libuv thread pool; more in flight only
 * queue for a connection and slow every device down until timeouts turn into retries. Over it a
 * device is refused `overloaded` with a retry hint, before any work. Per process: N platform
 * instances each shed their own load.
 */
export const MAX_REGISTRATIONS_IN_FLIGHT = 16;

/**
 * Decisions one registration makes before it gives up with `overloaded`. A decision is made again
 * only when a concurrent registration or operator changed the same claim or device between the
 * statement that saw it and the one that wrote; the next one sees that change, so two are the rule.
 */
const MAX_DECISIONS = 5;

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
  private inFlight = 0;
  /** Smoothed duration of one registration (ms): sizes the `overloaded` retry hint. */
  private registrationMs = 100;
  /**
   * New devices registered together: while a batch's statement runs, the next one gathers. Two at
   * once, so one slow batch (a claim row another instance holds) does not stall every registration.
   */
  private readonly newDevices = new GroupCommitQueue<NewRegistration>(
    (batch) => this.registrations.registerNewBatch(batch),
    MAX_REGISTRATIONS_IN_FLIGHT,
    2,
  );

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
    const response = await this.decide(claimId, req, now, this.newCredential());
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

  /**
   * A new hardware id registers in one statement, shared with the new hardware ids registering at the
   * same moment (the common case: a fleet's first boot); what that batch did not register is decided
   * on its own, as follows. A new hardware id registers in one statement. Anything
   * else is decided here on what that statement saw, and written by a statement that re-checks the
   * claim; if the claim or the device changed in between, the decision is made again on fresh facts.
   */
  private async decide(
    claimId: string,
    req: ProvisionRequestV1,
    now: Date,
    credential: Credential,
  ): Promise<ProvisionResponseV1> {
    const gate: ClaimGate = { claimId, now, mcuProfile: req.mcuProfile, sensorStream: req.sensorStream };
    // An unknown part or radio is refused (after the claim's own state): nothing to try to insert.
    const knownProfiles = req.mcuProfile in MCU_PROFILES && req.radioProfile in RADIO_PROFILES;
    if (knownProfiles) {
      // The common case, together with the registrations arriving meanwhile: one statement for the batch.
      const id = generateId('dev');
      const item: NewRegistration = { gate, device: this.newDevice(id, req, credential), registered: false };
      await this.newDevices.submit(item);
      if (item.registered)
        return { status: 'registered', deviceId: id, deviceSecret: credential.secret, mqttUsername: id };
    }
    for (let attempt = 0; attempt < MAX_DECISIONS; attempt++) {
      let facts: RegistrationFacts;
      if (knownProfiles) {
        const id = generateId('dev');
        const outcome = await this.registrations.registerNew(gate, this.newDevice(id, req, credential));
        if (outcome === null)
          return { status: 'registered', deviceId: id, deviceSecret: credential.secret, mqttUsername: id };
        if (outcome.kind === 'conflict') continue;
        facts = outcome.facts;
      } else {
        facts = await this.registrations.seen(gate, req.hardwareId);
      }
      const refusal = claimRefusal(facts.claim, req, now);
      if (refusal) {
        await this.audit(claimId, req, refusal);
        return refusal;
      }
      // The claim allowed a new device when the statement looked, but not when its gate ran: decide again.
      if (!facts.device) continue;
      const response = await this.registerAgain(gate, facts.claim!, facts.device, req, credential);
      if (response) return response;
    }
    // Every decision met a concurrent change of the same claim or device: the device tries again later.
    return refused('overloaded', 1);
  }

  /** A known hardware id, under the policy of the claim it registers through; null: something changed, decide again. */
  private async registerAgain(
    gate: ClaimGate,
    claim: ClaimFacts,
    device: HardwareFacts,
    req: ProvisionRequestV1,
    credential: Credential,
  ): Promise<ProvisionResponseV1 | null> {
    const scope = provisioningScope(claim);
    const refusal =
      device.provisioningScope !== null && device.provisioningScope !== scope
        ? refused('hardware-id-bound')
        : claim.reregistrationPolicy === 'refuse' || device.lifecycle === 'DECOMMISSIONED'
          ? refused('hardware-id-taken')
          : null;
    if (refusal) {
      // Counted against the claim's rate like any request past the profile checks: probing hardware ids is not free.
      const audited = await this.registrations.auditTakingToken(gate, attemptOf(claim.id, req, refusal));
      return audited ? refusal : null;
    }
    const reissue = claim.reregistrationPolicy !== 'reuse';
    const response: ProvisionResponseV1 = reissue
      ? { status: 'replaced', deviceId: device.id, deviceSecret: credential.secret, mqttUsername: device.id }
      : { status: 'reused', deviceId: device.id, deviceSecret: null, mqttUsername: device.id };
    const done = await this.registrations.reregister(gate, {
      seen: device,
      fields: { ...describe(req), claimId: claim.id, provisioningScope: scope },
      credential: reissue ? credential : null,
      attempt: attemptOf(claim.id, req, response),
    });
    return done ? response : null;
  }

  /** A refusal in the claim's audit trail; a claim deleted meanwhile has no trail left, the refusal stands. */
  private async audit(claimId: string, req: ProvisionRequestV1, refusal: ProvisionResponseV1): Promise<void> {
    await this.registrations.audit(attemptOf(claimId, req, refusal)).catch((err: unknown) => {
      this.log.warn(`could not audit a refusal of claim ${claimId}: ${String(err)}`);
    });
  }

  private newDevice(id: string, req: ProvisionRequestV1, credential: Credential): NewDevice {
    return {
      id,
      hardwareId: req.hardwareId,
      description: describe(req),
      secretHash: credential.secretHash,
      brokerHash: credential.brokerHash,
      evidenceKey: credential.evidenceKey,
    };
  }

  private newCredential(): Credential {
    const secret = generateSecret();
    return {
      secret,
      secretHash: this.hasher.hash(secret),
      brokerHash: hashForMosquitto(secret),
      evidenceKey: evidenceKeyOf(secret),
    };
  }
}

/**
 * Why the claim refuses this request, from what the registration saw (null: it would register it, or
 * the hardware id's policy decides). The order is the order of the checks a device can act on: the
 * claim first, then the profile, then the rate.
 */
function claimRefusal(claim: ClaimFacts | null, req: ProvisionRequestV1, now: Date): ProvisionResponseV1 | null {
  if (!claim) return refused('claim-revoked');
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
  if (claim.rateTokens < 1)
    return refused('rate-limited', Math.ceil(((1 - claim.rateTokens) * 60) / claim.rateLimitPerMinute));
  return null;
}

function attemptOf(claimId: string, req: ProvisionRequestV1, res: ProvisionResponseV1): AttemptRecord {
  return {
    claimId,
    hardwareId: req.hardwareId,
    outcome: res.status,
    reason: res.status === 'refused' ? res.reason : null,
    deviceId: res.status === 'refused' ? null : res.deviceId,
  };
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
  evidenceKey: Uint8Array;
}
