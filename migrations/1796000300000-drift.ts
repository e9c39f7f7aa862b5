import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Label-free drift (#18): inference_summaries holds one row per model of each up/summary (a window
 * of counts, not cumulative), unique on (device, boot, seq, model tag) so a re-delivery stores
 * nothing; the cohort (stream, MCU, radio) and the model are resolved at ingest, as for events.
 * drift_verdicts is the verdict history per cohort, one row per evaluated window end.
 */
export class Drift1796000300000 implements MigrationInterface {
  name = 'Drift1796000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inference_summaries (
        id                 bigserial PRIMARY KEY,
        device_id          text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        boot_id            bigint NOT NULL,
        seq                bigint NOT NULL,
        model_tag          bigint NOT NULL,
        device_time        timestamptz NOT NULL,
        received_at        timestamptz NOT NULL DEFAULT now(),
        window_ms          bigint NOT NULL,
        margin_q           smallint NOT NULL,
        model_id           text NULL,
        model_version      text NULL,
        sensor_stream      text NOT NULL,
        mcu_profile        text NOT NULL,
        radio_profile      text NOT NULL,
        inferences         bigint NOT NULL,
        low_margin         bigint NOT NULL,
        class_counts       bigint[] NOT NULL,
        score_histogram    bigint[] NOT NULL,
        input_count        float8[] NOT NULL,
        input_sum          float8[] NOT NULL,
        input_sum_squares  float8[] NOT NULL,
        CONSTRAINT inference_summaries_device_boot_seq_tag_key UNIQUE (device_id, boot_id, seq, model_tag),
        CONSTRAINT inference_summaries_counts_check CHECK (low_margin >= 0 AND low_margin <= inferences)
      )`);
    // Cohort windows by device time, and rollout gates by the platform clock.
    await q.query(
      `CREATE INDEX inference_summaries_cohort_time_idx ON inference_summaries (model_id, model_version, sensor_stream, mcu_profile, radio_profile, device_time)`,
    );
    await q.query(
      `CREATE INDEX inference_summaries_device_tag_received_idx ON inference_summaries (device_id, model_tag, received_at)`,
    );
    await q.query(`
      CREATE TABLE drift_verdicts (
        id                 bigserial PRIMARY KEY,
        model_id           text NOT NULL,
        model_version      text NOT NULL,
        sensor_stream      text NOT NULL,
        mcu_profile        text NOT NULL,
        radio_profile      text NOT NULL,
        window_start       timestamptz NOT NULL,
        window_end         timestamptz NOT NULL,
        evaluated_at       timestamptz NOT NULL,
        verdict            text NOT NULL CHECK (verdict IN ('drift', 'stable', 'insufficient-data')),
        reference_source   text NOT NULL,
        devices            integer NOT NULL,
        inferences         bigint NOT NULL,
        class_mix_psi      float8 NULL,
        score_js_bits      float8 NULL,
        max_input_shift_sd float8 NULL,
        low_margin_rate    float8 NULL,
        reasons            text[] NOT NULL,
        CONSTRAINT drift_verdicts_cohort_window_key UNIQUE (model_id, model_version, sensor_stream, mcu_profile, radio_profile, window_end)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE drift_verdicts`);
    await q.query(`DROP TABLE inference_summaries`);
  }
}
