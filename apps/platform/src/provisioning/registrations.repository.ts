import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';
import { DevicesRepository } from '../devices/devices.repository';
import { Claim } from './claim.entity';
import { ProvisioningAttempt } from './provisioning-attempt.entity';

export type AttemptRecord = Pick<ProvisioningAttempt, 'claimId' | 'hardwareId' | 'outcome' | 'reason' | 'deviceId'>;

/** What one registration may touch, all in its claim's transaction. */
export interface RegistrationScope {
  /** The claim, locked for this registration; null when it does not exist. */
  claim: Claim | null;
  devices: DevicesRepository;
  /** One more device registered through the claim. */
  countUse(): Promise<void>;
}

/**
 * Registration by claim as one transaction per request: the claim row locked FOR UPDATE (so
 * registrations of one claim are serialised and `uses` never exceeds `max_uses`), the device rows
 * through DevicesRepository in the same transaction, and the attempt in the claim's audit trail.
 */
@Injectable()
export class RegistrationsRepository {
  constructor(
    @InjectEntityManager() private readonly m: EntityManager,
    private readonly devices: DevicesRepository,
  ) {}

  /** Runs `decide` under the claim's lock and audits what it returns, in one commit. */
  underClaimLock<T>(
    claimId: string,
    decide: (scope: RegistrationScope) => Promise<T>,
    attemptOf: (result: T) => AttemptRecord,
  ): Promise<T> {
    return this.m.transaction(async (tx) => {
      const claim = await tx
        .getRepository(Claim)
        .findOne({ where: { id: claimId }, lock: { mode: 'pessimistic_write' } });
      const result = await decide({
        claim,
        devices: this.devices.within(tx),
        countUse: async () => void (await tx.getRepository(Claim).increment({ id: claimId }, 'uses', 1)),
      });
      await tx.getRepository(ProvisioningAttempt).insert(attemptOf(result));
      return result;
    });
  }

  /** An attempt outside a registration (a request that could not be read). */
  async audit(attempt: AttemptRecord): Promise<void> {
    await this.m.getRepository(ProvisioningAttempt).insert(attempt);
  }
}
