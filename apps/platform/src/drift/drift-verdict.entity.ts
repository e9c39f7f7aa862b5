import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A cohort's drift verdict on one window (the history the dashboard charts). */
@Entity('drift_verdicts')
export class DriftVerdict {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text', { name: 'model_id' }) modelId!: string;
  @Column('text', { name: 'model_version' }) modelVersion!: string;
  @Column('text', { name: 'sensor_stream' }) sensorStream!: string;
  @Column('text', { name: 'mcu_profile' }) mcuProfile!: string;
  @Column('text', { name: 'radio_profile' }) radioProfile!: string;
  @Column('timestamptz', { name: 'window_start' }) windowStart!: Date;
  @Column('timestamptz', { name: 'window_end' }) windowEnd!: Date;
  @Column('timestamptz', { name: 'evaluated_at' }) evaluatedAt!: Date;
  @Column('text') verdict!: 'drift' | 'stable' | 'insufficient-data';
  @Column('text', { name: 'reference_source' }) referenceSource!: string;
  @Column('integer') devices!: number;
  @Column('bigint') inferences!: string;
  @Column('float8', { name: 'class_mix_psi', nullable: true }) classMixPsi!: number | null;
  @Column('float8', { name: 'score_js_bits', nullable: true }) scoreJsBits!: number | null;
  @Column('float8', { name: 'max_input_shift_sd', nullable: true }) maxInputShiftSd!: number | null;
  @Column('float8', { name: 'low_margin_rate', nullable: true }) lowMarginRate!: number | null;
  @Column('text', { array: true }) reasons!: string[];
}
