import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Model registry and OTA rollouts (hawkBit's vocabulary): trusted signing keys, signed model
 * artifacts, rollouts split into groups with success/error thresholds, one OtaJob per device and
 * rollout, and every job transition as an append-only event.
 */
export class Ota1795900200000 implements MigrationInterface {
  name = 'Ota1795900200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE trusted_keys (
        key_id          text PRIMARY KEY,
        name            text NOT NULL,
        public_key_pem  text NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE model_artifacts (
        id               serial PRIMARY KEY,
        name             text NOT NULL,
        version          text NOT NULL,
        sha256           text NOT NULL,
        model_bytes      bytea NOT NULL,
        ota_bytes        bytea NULL,
        manifest_text    text NOT NULL,
        manifest         jsonb NOT NULL,
        signature        text NOT NULL,
        key_id           text NOT NULL REFERENCES trusted_keys(key_id),
        created_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT model_artifacts_name_version_key UNIQUE (name, version)
      )`);
    await q.query(`CREATE INDEX model_artifacts_sha256_idx ON model_artifacts (sha256)`);
    await q.query(`
      CREATE TABLE rollouts (
        id                    serial PRIMARY KEY,
        name                  text NOT NULL,
        artifact_id           integer NOT NULL REFERENCES model_artifacts(id),
        target                jsonb NOT NULL,
        pacing                jsonb NOT NULL,
        gates                 jsonb NOT NULL,
        error_action          text NOT NULL CHECK (error_action IN ('pause', 'abort')),
        state                 text NOT NULL,
        state_reason          text NULL,
        rollback_of           integer NULL REFERENCES rollouts(id),
        created_at            timestamptz NOT NULL DEFAULT now(),
        started_at            timestamptz NULL,
        finished_at           timestamptz NULL,
        updated_at            timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE rollout_groups (
        id                     serial PRIMARY KEY,
        rollout_id             integer NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
        idx                    integer NOT NULL,
        state                  text NOT NULL,
        success_threshold_pct  integer NOT NULL CHECK (success_threshold_pct BETWEEN 1 AND 100),
        error_threshold_pct    integer NOT NULL CHECK (error_threshold_pct BETWEEN 1 AND 100),
        started_at             timestamptz NULL,
        finished_at            timestamptz NULL,
        gate_readings          jsonb NULL,
        CONSTRAINT rollout_groups_rollout_idx_key UNIQUE (rollout_id, idx)
      )`);
    await q.query(`
      CREATE TABLE ota_jobs (
        id                serial PRIMARY KEY,
        rollout_id        integer NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
        group_id          integer NOT NULL REFERENCES rollout_groups(id) ON DELETE CASCADE,
        device_id         text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        artifact_id       integer NOT NULL REFERENCES model_artifacts(id),
        from_sha256       text NULL,
        state             text NOT NULL,
        reason            text NULL,
        form              text NULL,
        attempts          integer NOT NULL DEFAULT 0,
        chunks_total      integer NULL,
        chunks_received   integer NOT NULL DEFAULT 0,
        deadline_at       timestamptz NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ota_jobs_rollout_device_key UNIQUE (rollout_id, device_id)
      )`);
    await q.query(`CREATE INDEX ota_jobs_group_state_idx ON ota_jobs (group_id, state)`);
    await q.query(`CREATE INDEX ota_jobs_device_idx ON ota_jobs (device_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE ota_job_events (
        id          bigserial PRIMARY KEY,
        job_id      integer NOT NULL REFERENCES ota_jobs(id) ON DELETE CASCADE,
        from_state  text NULL,
        to_state    text NOT NULL,
        reason      text NULL,
        source      text NOT NULL CHECK (source IN ('server', 'device')),
        at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ota_job_events_job_idx ON ota_job_events (job_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['ota_job_events', 'ota_jobs', 'rollout_groups', 'rollouts', 'model_artifacts', 'trusted_keys'])
      await q.query(`DROP TABLE ${t}`);
  }
}
