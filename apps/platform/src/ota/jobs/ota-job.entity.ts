import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { OtaJobState } from './ota-job.state-machine';

/** One device's execution of one rollout (hawkBit's Action, AWS's job execution). Its id travels on the wire as jobId. */
@Entity('ota_jobs')
export class OtaJob {
  @PrimaryGeneratedColumn() id!: number;
  @Column('integer', { name: 'rollout_id' }) rolloutId!: number;
  @Column('integer', { name: 'group_id' }) groupId!: number;
  @Column('text', { name: 'device_id' }) deviceId!: string;
  @Column('integer', { name: 'artifact_id' }) artifactId!: number;
  /** sha256 of the model the device ran when the job was created (what a rollback returns it to). */
  @Column('text', { name: 'from_sha256', nullable: true }) fromSha256!: string | null;
  @Column('text') state!: OtaJobState;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { nullable: true }) form!: 'full' | 'huffman' | 'delta' | null;
  @Column('integer') attempts!: number;
  @Column('integer', { name: 'chunks_total', nullable: true }) chunksTotal!: number | null;
  @Column('integer', { name: 'chunks_received' }) chunksReceived!: number;
  @Column('timestamptz', { name: 'deadline_at', nullable: true }) deadlineAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
