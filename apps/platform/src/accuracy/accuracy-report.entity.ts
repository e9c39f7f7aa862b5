import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One model's cumulative on-device accuracy counts in one report (they restart from zero on reboot: bootId). */
@Entity('accuracy_reports')
export class AccuracyReport {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text', { name: 'device_id' }) deviceId!: string;
  @Column('bigint', { name: 'boot_id' }) bootId!: string;
  @Column('bigint') seq!: string;
  @Column('bigint', { name: 'model_tag' }) modelTag!: string;
  @Column('timestamptz', { name: 'device_time' }) deviceTime!: Date;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
  @Column('text', { name: 'model_id', nullable: true }) modelId!: string | null;
  @Column('text', { name: 'model_version', nullable: true }) modelVersion!: string | null;
  @Column('bigint') inferences!: string;
  @Column('bigint') correct!: string;
}
