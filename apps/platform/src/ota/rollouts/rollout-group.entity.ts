import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { GateReadings } from './health-gates';
import type { RolloutGroupState } from './rollout.state-machine';

@Entity('rollout_groups')
export class RolloutGroup {
  @PrimaryGeneratedColumn() id!: number;
  @Column('integer', { name: 'rollout_id' }) rolloutId!: number;
  @Column('integer') idx!: number;
  @Column('text') state!: RolloutGroupState;
  @Column('integer', { name: 'success_threshold_pct' }) successThresholdPct!: number;
  @Column('integer', { name: 'error_threshold_pct' }) errorThresholdPct!: number;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
  @Column('jsonb', { name: 'gate_readings', nullable: true }) gateReadings!: GateReadings | null;
}
