import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { OtaJobState } from './ota-job.state-machine';

/** Append-only history of an OtaJob: every transition, who made it, and why. */
@Entity('ota_job_events')
export class OtaJobEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('integer', { name: 'job_id' }) jobId!: number;
  @Column('text', { name: 'from_state', nullable: true }) fromState!: OtaJobState | null;
  @Column('text', { name: 'to_state' }) toState!: OtaJobState;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text') source!: 'server' | 'device';
  @Column('timestamptz') at!: Date;
  /** The platform instance that wrote it (PlatformInstance.id); null before #14. */
  @Column('text', { nullable: true }) actor!: string | null;
}
