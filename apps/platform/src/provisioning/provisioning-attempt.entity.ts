import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Audit trail of every registration by claim: who tried, what happened, and why if refused. */
@Entity('provisioning_attempts')
export class ProvisioningAttempt {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text', { name: 'claim_id' }) claimId!: string;
  /** Null when the request could not be read at all. */
  @Column('text', { name: 'hardware_id', nullable: true }) hardwareId!: string | null;
  @Column('text') outcome!: string;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { name: 'device_id', nullable: true }) deviceId!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
