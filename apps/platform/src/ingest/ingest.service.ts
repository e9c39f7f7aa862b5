import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { modelTagOf, type EnergySnapshotV1, type InferenceEventV1, type StatusV1 } from '@tinyfleet/wire';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { PlatformEvents } from '../common/platform-events';
import { GroupCommitQueue } from '../common/group-commit-queue';
import { slotModelJoin } from './slot-model.sql';

interface EventRow {
  deviceId: string;
  event: InferenceEventV1;
}
interface EnergyRow {
  deviceId: string;
  snapshot: EnergySnapshotV1;
}

/**
 * One statement per batch: insert the events (a duplicate (device, seq) is skipped), resolve each
 * event's model tag against the model slots in the device's last status, and bump the device's
 * counters by the rows actually inserted — so counters are exactly-once too. Events of unknown
 * devices are not inserted (the join drops them).
 */
const INSERT_EVENTS_SQL = `
WITH v AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::smallint[], $6::smallint[], $7::bigint[], $8::bigint[])
    AS v(device_id, seq, ts_ms, model_tag, label, score_q, latency_us, energy_uj)
), ins AS (
  INSERT INTO device_events (device_id, seq, device_time, model_tag, model_id, model_version, label, score_q, latency_us, energy_uj)
  SELECT v.device_id, v.seq, to_timestamp(v.ts_ms / 1000.0), v.model_tag, m.model_id, m.model_version, v.label, v.score_q, v.latency_us, v.energy_uj
  FROM v
  JOIN devices d ON d.id = v.device_id
  ${slotModelJoin('v.model_tag')}
  ON CONFLICT (device_id, seq) DO NOTHING
  RETURNING device_id, seq
), agg AS (
  SELECT device_id, count(*) AS n, max(seq) AS max_seq FROM ins GROUP BY device_id
), upd AS (
  UPDATE devices d
  SET events_count = d.events_count + agg.n,
      last_event_seq = GREATEST(COALESCE(d.last_event_seq, agg.max_seq), agg.max_seq),
      last_event_at = now(),
      last_seen_at = now()
  FROM agg WHERE d.id = agg.device_id
  RETURNING d.id
)
SELECT count(*)::int AS inserted FROM ins`;

const INSERT_ENERGY_SQL = `
INSERT INTO energy_snapshots (device_id, boot_id, seq, virtual_time_ms, counters)
SELECT v.device_id, v.boot_id, v.seq, v.virtual_time_ms, v.counters
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::jsonb[]) AS v(device_id, boot_id, seq, virtual_time_ms, counters)
JOIN devices d ON d.id = v.device_id
ON CONFLICT (device_id, boot_id, seq) DO NOTHING`;

/** Stores decoded uplink messages. Each submit resolves only once its row is committed. */
@Injectable()
export class IngestService {
  private readonly log = new Logger(IngestService.name);
  private readonly eventQueue: GroupCommitQueue<EventRow>;
  private readonly energyQueue: GroupCommitQueue<EnergyRow>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly events: PlatformEvents,
  ) {
    // A real PostgreSQL writes two batches at once; PGlite serialises queries anyway.
    const concurrency = config.database.mode === 'external' ? 2 : 1;
    this.eventQueue = new GroupCommitQueue((rows) => this.writeEvents(rows), config.ingest.maxBatchRows, concurrency);
    this.energyQueue = new GroupCommitQueue((rows) => this.writeEnergy(rows), config.ingest.maxBatchRows, 1);
  }

  submitEvent(deviceId: string, event: InferenceEventV1): Promise<void> {
    return this.eventQueue.submit({ deviceId, event });
  }

  submitEnergy(deviceId: string, snapshot: EnergySnapshotV1): Promise<void> {
    return this.energyQueue.submit({ deviceId, snapshot });
  }

  /** Status heartbeats are rare (minutes apart): one UPDATE each; an older heartbeat (re-delivered late) does not overwrite a newer one. */
  async recordStatus(deviceId: string, status: StatusV1): Promise<void> {
    const slots = status.slots.map((s) =>
      s === null
        ? null
        : {
            modelId: s.modelId,
            modelVersion: s.modelVersion,
            sha256: hex(s.sha256),
            tag: modelTagOf(s.sha256),
            sizeBytes: s.sizeBytes,
          },
    );
    const stored = { ...status, slots };
    await this.db.query(
      `UPDATE devices SET last_status = $2::jsonb, last_status_at = now(), last_seen_at = now(),
         firmware_version = $3, interpreter_version = $4, updated_at = now()
       WHERE id = $1 AND (last_status IS NULL OR (last_status->>'timestampMs')::bigint <= $5)`,
      [deviceId, JSON.stringify(stored), status.firmwareVersion, status.interpreterVersion, status.timestampMs],
    );
  }

  /** Counts a refused message against its device; never fails (a lost increment only loses a statistic). */
  async countRejected(deviceId: string): Promise<void> {
    await this.db
      .query(`UPDATE devices SET rejected_count = rejected_count + 1 WHERE id = $1`, [deviceId])
      .catch((err: unknown) => {
        this.log.warn(`could not count a rejected message for ${deviceId}: ${String(err)}`);
      });
  }

  private async writeEvents(rows: EventRow[]): Promise<void> {
    const end = this.metrics.ingestBatchSeconds.startTimer();
    const cols: unknown[][] = [[], [], [], [], [], [], [], []];
    for (const { deviceId, event: e } of rows) {
      cols[0]!.push(deviceId);
      cols[1]!.push(e.seq);
      cols[2]!.push(e.timestampMs);
      cols[3]!.push(e.modelTag);
      cols[4]!.push(e.label);
      cols[5]!.push(e.scoreQ);
      cols[6]!.push(e.latencyUs);
      cols[7]!.push(e.energyUj);
    }
    const result: Array<{ inserted: number }> = await this.db.query(INSERT_EVENTS_SQL, cols);
    const inserted = result[0]?.inserted ?? 0;
    end();
    this.metrics.ingestBatchRows.observe(rows.length);
    this.metrics.eventsIngested.inc(inserted);
    // Rows not inserted are re-deliveries of stored events, or events of devices that no longer exist.
    if (rows.length > inserted) this.metrics.duplicateEvents.inc(rows.length - inserted);
    if (inserted > 0) this.events.emit('events-stored', [...new Set(rows.map((r) => r.deviceId))], inserted);
  }

  private async writeEnergy(rows: EnergyRow[]): Promise<void> {
    const cols: unknown[][] = [[], [], [], [], []];
    for (const { deviceId, snapshot: s } of rows) {
      const { bootId, seq, virtualTimeMs, ...counters } = s;
      cols[0]!.push(deviceId);
      cols[1]!.push(bootId);
      cols[2]!.push(seq);
      cols[3]!.push(virtualTimeMs);
      cols[4]!.push(JSON.stringify(counters));
    }
    await this.db.query(INSERT_ENERGY_SQL, cols);
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
