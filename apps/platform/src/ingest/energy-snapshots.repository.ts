import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { EnergySnapshotV1 } from '@tinyfleet/wire';
import { EntityManager } from 'typeorm';

const INSERT_ENERGY_SQL = `
INSERT INTO energy_snapshots (device_id, boot_id, seq, virtual_time_ms, counters)
SELECT v.device_id, v.boot_id, v.seq, v.virtual_time_ms, v.counters
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::jsonb[]) AS v(device_id, boot_id, seq, virtual_time_ms, counters)
JOIN devices d ON d.id = v.device_id
ON CONFLICT (device_id, boot_id, seq) DO NOTHING`;

/** energy_snapshots: devices' cumulative joule-ledger counters; a re-delivered (device, boot, seq) is stored once. */
@Injectable()
export class EnergySnapshotsRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  async insertBatch(rows: Array<{ deviceId: string; snapshot: EnergySnapshotV1 }>): Promise<void> {
    const cols: unknown[][] = [[], [], [], [], []];
    for (const { deviceId, snapshot: s } of rows) {
      const { bootId, seq, virtualTimeMs, ...counters } = s;
      cols[0]!.push(deviceId);
      cols[1]!.push(bootId);
      cols[2]!.push(seq);
      cols[3]!.push(virtualTimeMs);
      cols[4]!.push(JSON.stringify(counters));
    }
    await this.m.query(INSERT_ENERGY_SQL, cols);
  }
}
