import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const REREGISTRATION_POLICIES = ['reuse', 'replace', 'refuse'] as const;
/** What happens when a hardware id that already has a device registers again with this claim. */
export type ReregistrationPolicy = (typeof REREGISTRATION_POLICIES)[number];

/** A provisioning claim: a shared bootstrap secret that devices exchange for their own identity. */

@Entity('claims')
export class Claim {
  @PrimaryColumn('text') id!: string;
  @Column('text') name!: string;
  /** HMAC of the claim secret, or the scrypt hash of an older claim (see credential-hasher.ts). */
  @Column('text', { name: 'secret_hash' }) secretHash!: string;
  /** Claims of one group may re-register each other's devices (see provisioningScope). */
  @Column('text', { name: 'group_name', nullable: true }) groupName!: string | null;
  @Column('text', { name: 'mcu_profile', nullable: true }) mcuProfile!: string | null;
  @Column('text', { name: 'sensor_stream', nullable: true }) sensorStream!: string | null;
  @Column('integer', { name: 'max_uses', nullable: true }) maxUses!: number | null;
  @Column('integer') uses!: number;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column('text', { name: 'reregistration_policy' }) reregistrationPolicy!: ReregistrationPolicy;
  @Column('integer', { name: 'rate_limit_per_minute' }) rateLimitPerMinute!: number;
  @Column('text', { array: true }) tags!: string[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/**
 * The provisioning scope of a claim's devices; scope strings are built here only (and by its SQL twin in
 * registrations.repository.ts, for the statement that inserts a device), so a group and a claim never collide.
 */
export function provisioningScope(claim: Pick<Claim, 'id' | 'groupName'>): string {
  return claim.groupName ? `group:${claim.groupName}` : `claim:${claim.id}`;
}
