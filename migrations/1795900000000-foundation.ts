import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Foundation schema: provisioning claims, devices with hashed per-device credentials, the
 * provisioning audit trail, inference events (unique per device and sequence number, so a QoS 1
 * re-delivery or a device re-send is stored once), status heartbeats and energy snapshots.
 * Enumerations are stored as text, never as ordinals.
 */
export class Foundation1795900000000 implements MigrationInterface {
  name = 'Foundation1795900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE claims (
        id                      text PRIMARY KEY,
        name                    text NOT NULL,
        secret_hash             text NOT NULL,
        broker_hash             text NOT NULL,
        mcu_profile             text NULL,
        sensor_stream           text NULL,
        max_uses                integer NULL CHECK (max_uses IS NULL OR max_uses > 0),
        uses                    integer NOT NULL DEFAULT 0,
        expires_at              timestamptz NULL,
        revoked_at              timestamptz NULL,
        reregistration_policy   text NOT NULL CHECK (reregistration_policy IN ('reuse', 'replace', 'refuse')),
        rate_limit_per_minute   integer NOT NULL CHECK (rate_limit_per_minute > 0),
        tags                    text[] NOT NULL DEFAULT '{}',
        created_at              timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE devices (
        id                   text PRIMARY KEY,
        hardware_id          text NOT NULL,
        claim_id             text NULL REFERENCES claims(id) ON DELETE SET NULL,
        mcu_profile          text NOT NULL,
        radio_profile        text NOT NULL,
        sensor_stream        text NOT NULL,
        firmware_version     text NOT NULL,
        interpreter_version  text NOT NULL,
        tags                 text[] NOT NULL DEFAULT '{}',
        lifecycle            text NOT NULL CHECK (lifecycle IN ('PROVISIONED', 'ACTIVE', 'SUSPENDED', 'DECOMMISSIONED')),
        connectivity         text NOT NULL DEFAULT 'OFFLINE' CHECK (connectivity IN ('ONLINE', 'OFFLINE')),
        secret_hash          text NOT NULL,
        broker_hash          text NOT NULL,
        credentials_version  integer NOT NULL DEFAULT 1,
        events_count         bigint NOT NULL DEFAULT 0,
        last_event_seq       bigint NULL,
        last_event_at        timestamptz NULL,
        rejected_count       bigint NOT NULL DEFAULT 0,
        last_status          jsonb NULL,
        last_status_at       timestamptz NULL,
        last_seen_at         timestamptz NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT devices_hardware_id_key UNIQUE (hardware_id)
      )`);
    await q.query(`CREATE INDEX devices_sensor_stream_idx ON devices (sensor_stream)`);
    await q.query(`CREATE INDEX devices_mcu_profile_idx ON devices (mcu_profile)`);
    await q.query(`
      CREATE TABLE provisioning_attempts (
        id           bigserial PRIMARY KEY,
        claim_id     text NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        hardware_id  text NOT NULL,
        outcome      text NOT NULL,
        reason       text NULL,
        device_id    text NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX provisioning_attempts_claim_idx ON provisioning_attempts (claim_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE device_events (
        id             bigserial PRIMARY KEY,
        device_id      text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        seq            bigint NOT NULL,
        device_time    timestamptz NOT NULL,
        received_at    timestamptz NOT NULL DEFAULT now(),
        model_tag      bigint NOT NULL,
        model_id       text NULL,
        model_version  text NULL,
        label          smallint NOT NULL,
        score_q        smallint NOT NULL,
        latency_us     bigint NOT NULL,
        energy_uj      bigint NOT NULL,
        CONSTRAINT device_events_device_seq_key UNIQUE (device_id, seq)
      )`);
    await q.query(`CREATE INDEX device_events_received_at_idx ON device_events (received_at)`);
    await q.query(`
      CREATE TABLE energy_snapshots (
        id                bigserial PRIMARY KEY,
        device_id         text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        boot_id           bigint NOT NULL,
        seq               bigint NOT NULL,
        received_at       timestamptz NOT NULL DEFAULT now(),
        virtual_time_ms   bigint NOT NULL,
        counters          jsonb NOT NULL,
        CONSTRAINT energy_snapshots_device_boot_seq_key UNIQUE (device_id, boot_id, seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE energy_snapshots`);
    await q.query(`DROP TABLE device_events`);
    await q.query(`DROP TABLE provisioning_attempts`);
    await q.query(`DROP TABLE devices`);
    await q.query(`DROP TABLE claims`);
  }
}
