import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { InferenceEventV1 } from '@tinyfleet/wire';
import { EntityManager, LessThan } from 'typeorm';
import { retryDeadlockVictim } from '../database/deadlock-retry';
import { slotModelJoin } from '../devices/device-slots.sql';
import { DeviceEvent } from './device-event.entity';

/**
 * One statement per batch: claim each event's (device, seq) in device_event_keys (a duplicate is
 * skipped — also one stored in an earlier partition: device_events is partitioned by received_at,
 * so a re-send lands in a later partition than its first copy and no index of device_events could
 * see both; the key is deleted with its event, by retention), insert the events whose key was new, resolve each event's model tag against the
 * device's model slots, and bump the device's counters by the rows actually inserted — so counters
 * are exactly-once too. Within a batch the first copy of a (device, seq) wins, as across batches.
 * Events of unknown devices are not inserted (the join drops them).
 */
const INSERT_EVENTS_SQL = `
WITH v AS (
  SELECT DISTINCT ON (device_id, seq) *
  FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::smallint[], $6::smallint[], $7::bigint[], $8::bigint[])
    WITH ORDINALITY AS v(device_id, seq, ts_ms, model_tag, label, score_q, latency_us, energy_uj, ord)
  ORDER BY device_id, seq, ord
), k AS (
  INSERT INTO device_event_keys (device_id, seq)
  SELECT v.device_id, v.seq FROM v JOIN devices d ON d.id = v.device_id
  ON CONFLICT (device_id, seq) DO NOTHING
  RETURNING device_id, seq
), ins AS (
  INSERT INTO device_events (device_id, seq, device_time, model_tag, model_id, model_version, label, score_q, latency_us, energy_uj)
  SELECT v.device_id, v.seq, to_timestamp(v.ts_ms / 1000.0), v.model_tag, m.model_id, m.model_version, v.label, v.score_q, v.latency_us, v.energy_uj
  FROM k
  JOIN v ON v.device_id = k.device_id AND v.seq = k.seq
  JOIN devices d ON d.id = v.device_id
  ${slotModelJoin('v.model_tag')}
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

export interface StoredEvent {
  seq: number;
  deviceTime: string;
  receivedAt: string;
  modelTag: number;
  modelId: string | null;
  modelVersion: string | null;
  label: number;
  scoreQ: number;
  latencyUs: number;
  energyUj: number;
}

/**
 * device_events: the inference conclusions devices sent, each stored once. The batch insert is the
 * one writer of a device's event counters (see INSERT_EVENTS_SQL); everything else about a device
 * row is DevicesRepository's.
 */
@Injectable()
export class EventsRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  /**
   * Stores a batch; returns how many rows were new. Two batches at once (the ingest queue writes two
   * on PostgreSQL) bump their devices' counters in whatever order each plan visits them, so they can
   * deadlock on device rows; the statement is atomic and commits on its own, so PostgreSQL's victim
   * is simply run again (nothing of it was stored or counted).
   */
  async insertBatch(rows: Array<{ deviceId: string; event: InferenceEventV1 }>): Promise<number> {
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
    const result: Array<{ inserted: number }> = await retryDeadlockVictim(() => this.m.query(INSERT_EVENTS_SQL, cols));
    return result[0]?.inserted ?? 0;
  }

  /** Events of these devices received after `since` (platform clock): how many, from how many devices, mean score and energy. */
  async statsSince(
    deviceIds: readonly string[],
    since: Date,
  ): Promise<{ devices: number; events: number; meanScoreQ: number | null; meanEnergyUj: number | null }> {
    if (deviceIds.length === 0) return { devices: 0, events: 0, meanScoreQ: null, meanEnergyUj: null };
    const [row]: Array<{
      devices: number;
      events: number;
      mean_score_q: number | null;
      mean_energy_uj: number | null;
    }> = await this.m.query(
      `SELECT count(DISTINCT device_id)::int AS devices, count(*)::int AS events,
                avg(score_q)::float AS mean_score_q, avg(energy_uj)::float AS mean_energy_uj
         FROM device_events WHERE device_id = ANY($1::text[]) AND received_at > $2`,
      [deviceIds, since],
    );
    return {
      devices: row!.devices,
      events: row!.events,
      meanScoreQ: row!.mean_score_q,
      meanEnergyUj: row!.mean_energy_uj,
    };
  }

  /** A device's events, newest first, optionally only those below a sequence number (paging backwards). */
  async page(deviceId: string, limit: number, beforeSeq?: number): Promise<StoredEvent[]> {
    const rows = await this.m.getRepository(DeviceEvent).find({
      where: beforeSeq !== undefined ? { deviceId, seq: LessThan(String(beforeSeq)) } : { deviceId },
      order: { seq: 'DESC' },
      take: limit,
    });
    return rows.map((e) => ({
      seq: Number(e.seq),
      deviceTime: e.deviceTime.toISOString(),
      receivedAt: e.receivedAt.toISOString(),
      modelTag: Number(e.modelTag),
      modelId: e.modelId,
      modelVersion: e.modelVersion,
      label: e.label,
      scoreQ: e.scoreQ,
      latencyUs: Number(e.latencyUs),
      energyUj: Number(e.energyUj),
    }));
  }
}
