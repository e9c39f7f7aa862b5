import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One inference conclusion a device sent; unique on (deviceId, seq) through device_event_keys (a
 * partitioned table cannot hold that unique index itself). Written in batches by IngestService.
 */
@Entity('device_events')
export class DeviceEvent {
  @PrimaryColumn('text', { name: 'device_id' }) deviceId!: string;
  @PrimaryColumn('bigint') seq!: string;
  @Column('timestamptz', { name: 'device_time' }) deviceTime!: Date;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
  @Column('bigint', { name: 'model_tag' }) modelTag!: string;
  @Column('text', { name: 'model_id', nullable: true }) modelId!: string | null;
  @Column('text', { name: 'model_version', nullable: true }) modelVersion!: string | null;
  @Column('smallint') label!: number;
  @Column('smallint', { name: 'score_q' }) scoreQ!: number;
  @Column('bigint', { name: 'latency_us' }) latencyUs!: string;
  @Column('bigint', { name: 'energy_uj' }) energyUj!: string;
}
