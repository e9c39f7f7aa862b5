import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

import type { DeviceLifecycle } from './device-lifecycle';

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
  /** HMAC of the per-device secret (scrypt for a device not seen since #14, see credential-hasher.ts); the secret itself is shown once, at registration. */
  @Column('text', { name: 'secret_hash' }) secretHash!: string;
  @Column('text', { name: 'broker_hash' }) brokerHash!: string;
  @Column('integer', { name: 'credentials_version' }) credentialsVersion!: number;
  /** On a NATS cluster: the subject (user public key) of the JWT last issued to the device, what a revocation names. */
  @Column('text', { name: 'nats_user_key', nullable: true }) natsUserKey!: string | null;
  @Column('bigint', { name: 'events_count' }) eventsCount!: string;
  @Column('bigint', { name: 'last_event_seq', nullable: true }) lastEventSeq!: string | null;
  @Column('timestamptz', { name: 'last_event_at', nullable: true }) lastEventAt!: Date | null;
  @Column('bigint', { name: 'rejected_count' }) rejectedCount!: string;
  /** Operator-set runtime configuration (DeviceConfigV1 fields); null: platform defaults. */
  @Column('jsonb', { nullable: true }) config!: Record<string, unknown> | null;
  @Column('jsonb', { name: 'last_status', nullable: true }) lastStatus!: Record<string, unknown> | null;
  @Column('timestamptz', { name: 'last_status_at', nullable: true }) lastStatusAt!: Date | null;
  /** Device clock of the last status (unix ms): a heartbeat older than it is not stored. */
  @Column('bigint', { name: 'status_device_ms', nullable: true }) statusDeviceMs!: string | null;
  /** The model the device runs (its active A/B slot), from the last status; null: empty slot or no status yet. */
  @Column('text', { name: 'active_model_id', nullable: true }) activeModelId!: string | null;
  @Column('text', { name: 'active_model_version', nullable: true }) activeModelVersion!: string | null;
  @Column('text', { name: 'active_model_sha256', nullable: true }) activeModelSha256!: string | null;
  /** First 4 bytes of the sha256 as an unsigned integer: what events and accuracy reports name the model by. */
  @Column('bigint', { name: 'active_model_tag', nullable: true }) activeModelTag!: string | null;
  @Column('bigint', { name: 'active_model_bytes', nullable: true }) activeModelBytes!: string | null;
  /** The other slot: the previous model after an update (a rollback switches back to it without a download). */
  @Column('text', { name: 'inactive_model_id', nullable: true }) inactiveModelId!: string | null;
  @Column('text', { name: 'inactive_model_version', nullable: true }) inactiveModelVersion!: string | null;
  @Column('text', { name: 'inactive_model_sha256', nullable: true }) inactiveModelSha256!: string | null;
  @Column('bigint', { name: 'inactive_model_tag', nullable: true }) inactiveModelTag!: string | null;
  @Column('bigint', { name: 'inactive_model_bytes', nullable: true }) inactiveModelBytes!: string | null;
  /** The op set of the latest up/capabilities, as sent (docs/protocol.md "Op sets"); null: never reported. */
  @Column('bytea', { name: 'op_set', nullable: true }) opSet!: Buffer | null;
  /** Device clock of that report (unix ms): an older report is not stored. */
  @Column('bigint', { name: 'capabilities_device_ms', nullable: true }) capabilitiesDeviceMs!: string | null;
  @Column('timestamptz', { name: 'capabilities_at', nullable: true }) capabilitiesAt!: Date | null;
  @Column('timestamptz', { name: 'last_seen_at', nullable: true }) lastSeenAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
