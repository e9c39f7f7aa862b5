import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { HealthGates } from './health-gates';
import type { RolloutPacing } from './pacing';
import type { RolloutState } from './rollout.state-machine';

/** Which devices a rollout is for; every field narrows (AND). */
export interface RolloutTarget {
  stream?: string;
  mcuProfile?: string;
  radioProfile?: string;
  tags?: string[];
  /** Only devices whose active slot runs this model id (optionally this version). */
  currentModelId?: string;
  currentModelVersion?: string;
  deviceIds?: string[];
}

@Entity('rollouts')
export class Rollout {
  @PrimaryGeneratedColumn() id!: number;
  @Column('text') name!: string;
  @Column('integer', { name: 'artifact_id' }) artifactId!: number;
  @Column('jsonb') target!: RolloutTarget;
  @Column('jsonb') pacing!: RolloutPacing;
  @Column('jsonb') gates!: HealthGates;
  @Column('text', { name: 'error_action' }) errorAction!: 'pause' | 'abort';
  @Column('text') state!: RolloutState;
  @Column('text', { name: 'state_reason', nullable: true }) stateReason!: string | null;
  @Column('integer', { name: 'rollback_of', nullable: true }) rollbackOf!: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
