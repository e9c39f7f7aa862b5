import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One model's up/summary window from one device, with the cohort the device was in when it arrived. */
@Entity('inference_summaries')
export class InferenceSummary {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text', { name: 'device_id' }) deviceId!: string;
  @Column('bigint', { name: 'boot_id' }) bootId!: string;
  @Column('bigint') seq!: string;
  @Column('bigint', { name: 'model_tag' }) modelTag!: string;
  @Column('timestamptz', { name: 'device_time' }) deviceTime!: Date;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
  @Column('bigint', { name: 'window_ms' }) windowMs!: string;
  @Column('smallint', { name: 'margin_q' }) marginQ!: number;
  @Column('text', { name: 'model_id', nullable: true }) modelId!: string | null;
  @Column('text', { name: 'model_version', nullable: true }) modelVersion!: string | null;
  @Column('text', { name: 'sensor_stream' }) sensorStream!: string;
  @Column('text', { name: 'mcu_profile' }) mcuProfile!: string;
  @Column('text', { name: 'radio_profile' }) radioProfile!: string;
  @Column('bigint') inferences!: string;
  @Column('bigint', { name: 'low_margin' }) lowMargin!: string;
  @Column('bigint', { name: 'class_counts', array: true }) classCounts!: string[];
  @Column('bigint', { name: 'score_histogram', array: true }) scoreHistogram!: string[];
  @Column('float8', { name: 'input_count', array: true }) inputCount!: number[];
  @Column('float8', { name: 'input_sum', array: true }) inputSum!: number[];
  @Column('float8', { name: 'input_sum_squares', array: true }) inputSumSquares!: number[];
}
