import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MCU_PROFILES, modelBudget } from '@tinyfleet/energy';
import { DataSource } from 'typeorm';
import { LiveEventsService } from './live-events.service';

export interface FleetSummary {
  total: number;
  /** dimension → key → devices. */
  counts: Record<
    'lifecycle' | 'connectivity' | 'stream' | 'mcuProfile' | 'radioProfile' | 'model',
    Record<string, number>
  >;
  eventsPerSecond: number;
  eventsTotal: number;
}

export interface McuProfileView {
  id: string;
  label: string;
  core: string;
  flashBytes: number;
  sramBytes: number;
  firmwareFlashBytes: number;
  firmwareRamBytes: number;
  /** Flash for one model with the other A/B slot empty; an A/B update needs room for both. */
  flashBytesForModel: number;
  ramBytesForArena: number;
}

/** The active slot's model as `id@version` (from the last status heartbeat), else "unknown". */
const ACTIVE_MODEL = `COALESCE(
  (last_status->'slots'->((last_status->>'activeSlot')::int)->>'modelId') || '@' || (last_status->'slots'->((last_status->>'activeSlot')::int)->>'modelVersion'),
  'unknown')`;

/** One grouped scan per dimension in one statement: cheap for thousands of devices, no row transfer. */
const SUMMARY_SQL = `
SELECT 'lifecycle' AS dim, lifecycle AS key, count(*)::int AS n, sum(events_count)::bigint AS ev FROM devices GROUP BY lifecycle
UNION ALL SELECT 'connectivity', connectivity, count(*)::int, 0 FROM devices GROUP BY connectivity
UNION ALL SELECT 'stream', sensor_stream, count(*)::int, 0 FROM devices GROUP BY sensor_stream
UNION ALL SELECT 'mcuProfile', mcu_profile, count(*)::int, 0 FROM devices GROUP BY mcu_profile
UNION ALL SELECT 'radioProfile', radio_profile, count(*)::int, 0 FROM devices GROUP BY radio_profile
UNION ALL SELECT 'model', ${ACTIVE_MODEL}, count(*)::int, 0 FROM devices GROUP BY 2`;

@Injectable()
export class FleetSummaryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly live: LiveEventsService,
  ) {}

  async summary(): Promise<FleetSummary> {
    const rows: Array<{ dim: keyof FleetSummary['counts']; key: string; n: number; ev: string }> =
      await this.db.query(SUMMARY_SQL);
    const counts: FleetSummary['counts'] = {
      lifecycle: {},
      connectivity: {},
      stream: {},
      mcuProfile: {},
      radioProfile: {},
      model: {},
    };
    let total = 0;
    let eventsTotal = 0;
    for (const r of rows) {
      counts[r.dim][r.key] = r.n;
      if (r.dim === 'lifecycle') {
        total += r.n;
        eventsTotal += Number(r.ev);
      }
    }
    return { total, counts, eventsPerSecond: this.live.eventsPerSecond(), eventsTotal };
  }

  mcuProfiles(): McuProfileView[] {
    return Object.values(MCU_PROFILES).map((m) => {
      const b = modelBudget(m, 0);
      return {
        id: m.id,
        label: m.label,
        core: m.core,
        flashBytes: m.flashBytes,
        sramBytes: m.sramBytes,
        firmwareFlashBytes: b.firmwareFlashBytes,
        firmwareRamBytes: b.firmwareRamBytes,
        flashBytesForModel: b.flashBytesForModel,
        ramBytesForArena: b.ramBytesForArena,
      };
    });
  }

  /** What a rollout was created with (the status API leaves it out): gate thresholds next to their readings. */
  async rolloutSettings(): Promise<
    Array<{ id: number; target: unknown; gates: unknown; pacing: unknown; errorAction: string }>
  > {
    const rows: Array<{ id: number; target: unknown; gates: unknown; pacing: unknown; error_action: string }> =
      await this.db.query(`SELECT id, target, gates, pacing, error_action FROM rollouts ORDER BY id DESC LIMIT 200`);
    return rows.map((r) => ({
      id: r.id,
      target: r.target,
      gates: r.gates,
      pacing: r.pacing,
      errorAction: r.error_action,
    }));
  }
}
