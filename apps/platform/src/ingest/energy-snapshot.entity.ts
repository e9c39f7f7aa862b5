import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A device's cumulative joule-ledger counters at one moment (they restart from zero on reboot: bootId). */
@Entity('energy_snapshots')
export class EnergySnapshot {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text', { name: 'device_id' }) deviceId!: string;
  @Column('bigint', { name: 'boot_id' }) bootId!: string;
  @Column('bigint') seq!: string;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
  @Column('bigint', { name: 'virtual_time_ms' }) virtualTimeMs!: string;
  @Column('jsonb') counters!: Record<string, number>;
}
