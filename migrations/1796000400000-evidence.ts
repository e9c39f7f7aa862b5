import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence on request (docs/protocol.md §12): the operator's requests, each device's answer, the
 * chunks of window blobs still being reassembled, the verified windows with their retention and
 * label, the refusals by reason, and each device's evidence key (derived from its secret when the
 * platform issues it, the only time the platform sees the secret).
 */
export class Evidence1796000400000 implements MigrationInterface {
  name = 'Evidence1796000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE device_evidence_keys (
        device_id   text PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        key         bytea NOT NULL CHECK (length(key) = 32),
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // Request ids travel as uint32; the sequence cycles within that range.
    await q.query(`CREATE SEQUENCE evidence_request_id_seq AS bigint MINVALUE 1 MAXVALUE 4294967295 CYCLE`);
    await q.query(`
      CREATE TABLE evidence_requests (
        id                  bigint PRIMARY KEY DEFAULT nextval('evidence_request_id_seq'),
        model_tag           bigint NOT NULL,
        selector            text NOT NULL CHECK (selector IN ('any', 'low-margin', 'class')),
        label               integer NOT NULL,
        margin_q            integer NOT NULL,
        max_windows         integer NOT NULL CHECK (max_windows BETWEEN 1 AND 64),
        max_bytes           bigint NOT NULL CHECK (max_bytes >= 1),
        daily_budget_bytes  bigint NULL,
        deadline            timestamptz NOT NULL,
        retention_days      integer NOT NULL CHECK (retention_days >= 1),
        cohort              jsonb NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE evidence_request_devices (
        request_id     bigint NOT NULL REFERENCES evidence_requests(id) ON DELETE CASCADE,
        device_id      text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        state          text NOT NULL CHECK (state IN ('requested', 'accepted', 'declined', 'done')),
        reason         text NULL,
        window_count   integer NOT NULL DEFAULT 0,
        planned_bytes  bigint NOT NULL DEFAULT 0,
        received_bytes bigint NOT NULL DEFAULT 0,
        updated_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (request_id, device_id)
      )`);
    await q.query(`
      CREATE TABLE evidence_chunks (
        request_id    bigint NOT NULL,
        device_id     text NOT NULL,
        window_index  integer NOT NULL,
        chunk_offset  integer NOT NULL,
        total_bytes   integer NOT NULL,
        data          bytea NOT NULL,
        received_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (request_id, device_id, window_index, chunk_offset),
        FOREIGN KEY (request_id, device_id) REFERENCES evidence_request_devices(request_id, device_id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE evidence_windows (
        id                 bigserial PRIMARY KEY,
        request_id         bigint NOT NULL REFERENCES evidence_requests(id) ON DELETE CASCADE,
        device_id          text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        window_index       integer NOT NULL,
        model_tag          bigint NOT NULL,
        device_time        timestamptz NOT NULL,
        label              integer NOT NULL,
        score_q            integer NOT NULL,
        margin_q           integer NOT NULL,
        format             text NOT NULL CHECK (format IN ('f32le', 'u8')),
        samples            integer NOT NULL,
        values_per_sample  integer NOT NULL,
        image_width        integer NOT NULL,
        data               bytea NOT NULL,
        blob_bytes         integer NOT NULL,
        received_at        timestamptz NOT NULL DEFAULT now(),
        expires_at         timestamptz NOT NULL,
        operator_label     text NULL,
        labelled_at        timestamptz NULL,
        CONSTRAINT evidence_windows_request_device_index_key UNIQUE (request_id, device_id, window_index)
      )`);
    await q.query(`CREATE INDEX evidence_windows_expires_idx ON evidence_windows (expires_at)`);
    await q.query(`
      CREATE TABLE evidence_refusals (
        device_id  text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        reason     text NOT NULL,
        count      bigint NOT NULL DEFAULT 0,
        last_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (device_id, reason)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE evidence_refusals`);
    await q.query(`DROP TABLE evidence_windows`);
    await q.query(`DROP TABLE evidence_chunks`);
    await q.query(`DROP TABLE evidence_request_devices`);
    await q.query(`DROP TABLE evidence_requests`);
    await q.query(`DROP SEQUENCE evidence_request_id_seq`);
    await q.query(`DROP TABLE device_evidence_keys`);
  }
}
