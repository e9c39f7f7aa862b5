import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const DEVICE_LIFECYCLES = ['PROVISIONED', 'ACTIVE', 'SUSPENDED', 'DECOMMISSIONED'] as const;
export type DeviceLifecycle = (typeof DEVICE_LIFECYCLES)[number];
export type DeviceConnectivity = 'ONLINE' | 'OFFLINE';

/** One MCU node. Its id is also its MQTT username and client id. */
@Entity('devices')
export class Device {
  @PrimaryColumn('text') id!: string;
  @Column('text', { name: 'hardware_id' }) hardwareId!: string;
  @Column('text', { name: 'claim_id', nullable: true }) claimId!: string | null;
  /**
   * The claims that may register this hardware id again: its claim's group, or that claim alone
   * (`provisioningScope`); null once an operator released it for any claim to adopt.
   */
  @Column('text', { name: 'provisioning_scope', nullable: true }) provisioningScope!: string | null;
  @Column('text', { name: 'mcu_profile' }) mcuProfile!: string;
  @Column('text', { name: 'radio_profile' }) radioProfile!: string;
  @Column('text', { name: 'sensor_stream' }) sensorStream!: string;
  @Column('text', { name: 'firmware_version' }) firmwareVersion!: string;
  @Column('text', { name: 'interpreter_version' }) interpreterVersion!: string;
  @Column('text', { array: true }) tags!: string[];
  @Column('text') lifecycle!: DeviceLifecycle;
  @Column('text') connectivity!: DeviceConnectivity;
  /** scrypt hash of the per-device secret; the secret itself is shown once, at registration. */
  @Column('text', { name: 'secret_hash' }) secretHash!: string;
  @Column('text', { name: 'broker_hash' }) brokerHash!: string;
  @Column('integer', { name: 'credentials_version' }) credentialsVersion!: number;
  @Column('bigint', { name: 'events_count' }) eventsCount!: string;
  @Column('bigint', { name: 'last_event_seq', nullable: true }) lastEventSeq!: string | null;
  @Column('timestamptz', { name: 'last_event_at', nullable: true }) lastEventAt!: Date | null;
  @Column('bigint', { name: 'rejected_count' }) rejectedCount!: string;
  /** Operator-set runtime configuration (DeviceConfigV1 fields); null: platform defaults. */
  @Column('jsonb', { nullable: true }) config!: Record<string, unknown> | null;
  @Column('jsonb', { name: 'last_status', nullable: true }) lastStatus!: Record<string, unknown> | null;
  @Column('timestamptz', { name: 'last_status_at', nullable: true }) lastStatusAt!: Date | null;
  @Column('timestamptz', { name: 'last_seen_at', nullable: true }) lastSeenAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
