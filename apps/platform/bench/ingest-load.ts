import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { Client } from 'pg';
import type { DeviceConnection } from '../../../device-sim/src/mqtt/device-connection';

/** What a publishing run measured at the devices: PUBACKed events and each PUBACK's latency. */
export interface LoadResult {
  acked: number;
  elapsedS: number;
  latenciesMs: number[];
}

/**
 * Every connection keeps `window` QoS 1 inference events in flight for `seconds`, each device
 * counting its own seq from `firstSeq`; every PUBACK is timed from the publish call.
 */
export async function publishLoad(conns: DeviceConnection[], seconds: number, window: number): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const startedAt = performance.now();
  const stopAt = startedAt + seconds * 1000;
  let acked = 0;
  await Promise.all(
    conns.flatMap((conn) => {
      let seq = 0;
      return Array.from({ length: window }, async () => {
        while (performance.now() < stopAt) {
          const t0 = performance.now();
          await conn.publishEvent({
            seq: seq++,
            timestampMs: Date.now(),
            modelTag: 0x1234abcd,
            label: seq % 4,
            scoreQ: 90,
            latencyUs: 12_000,
            energyUj: 450,
          });
          latenciesMs.push(performance.now() - t0);
          acked++;
        }
      });
    }),
  );
  return { acked, elapsedS: (performance.now() - startedAt) / 1000, latenciesMs };
}

/** p50, p99 and max of PUBACK latency, in ms with two decimals. */
export function latencySummary(latenciesMs: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const pct = (p: number) =>
    Number((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN).toFixed(2));
  return { p50: pct(50), p99: pct(99), max: pct(100) };
}

const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User + system CPU seconds a live process has used so far (0 when it is gone). */
export function cpuSecondsOf(pid: number): number {
  try {
    // The command name (field 2) may hold spaces: the fields after it start past the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S; // utime, stime
  } catch {
    return 0;
  }
}

/** A process and its descendants (a platform instance may run helpers as children). */
export function processTree(rootPid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited while we looked
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++)
    for (const [pid, ppid] of parentOf) if (ppid === tree[i] && !tree.includes(pid)) tree.push(pid);
  return tree;
}

/** The server processes serving the database `pg` is connected to, right now (one per connection). */
export async function backendPids(pg: Client): Promise<number[]> {
  const { rows } = await pg.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  return rows.map((r: { pid: number }) => r.pid);
}

/**
 * CPU seconds per component over a run: `snapshot()` before, `since()` after. Processes that
 * started during the run count their whole life; ones that ended during it cannot be read and count 0.
 */
export class CpuMeter {
  private start = new Map<string, Map<number, number>>();

  constructor(private readonly components: () => Promise<Map<string, number[]>>) {}

  async snapshot(): Promise<void> {
    this.start = await this.read();
  }

  async since(): Promise<Record<string, number>> {
    const now = await this.read();
    const out: Record<string, number> = {};
    for (const [name, pids] of now) {
      let s = 0;
      for (const [pid, cpu] of pids) s += cpu - (this.start.get(name)?.get(pid) ?? 0);
      out[name] = Number(s.toFixed(2));
    }
    return out;
  }

  private async read(): Promise<Map<string, Map<number, number>>> {
    const out = new Map<string, Map<number, number>>();
    for (const [name, pids] of await this.components())
      out.set(name, new Map(pids.map((pid) => [pid, cpuSecondsOf(pid)])));
    return out;
  }
}
