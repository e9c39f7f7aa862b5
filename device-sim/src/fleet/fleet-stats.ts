import { emptyPublished, SIM_UPLINK_KINDS } from '../node/node-radio';
import type { FleetStats } from './fleet-host';

/** Sum the stats of several workers (counts add up; virtual time is the latest). */
export function mergeStats(parts: FleetStats[]): FleetStats {
  const out: FleetStats = {
    nodes: 0,
    online: 0,
    virtualTimeMs: 0,
    samples: 0,
    inferences: 0,
    interpreterInvocations: 0,
    eventsCreated: 0,
    eventsAcked: 0,
    published: emptyPublished(),
    buffered: 0,
    dropped: 0,
    energyUj: 0,
    computeUj: 0,
    radioUj: 0,
    radioMessagesUj: 0,
    sensingUj: 0,
    sleepUj: 0,
    rawRadioUj: 0,
    bytesUp: 0,
    rawBytesUp: 0,
    refusals: {},
    linkErrors: {},
    modelsMissing: {},
    accuracy: {},
    otaInstalls: 0,
    powerLosses: 0,
    registered: 0,
    registrationRefusals: {},
    linkFailures: {},
    registeredAtMs: [],
    connectedAtMs: [],
  };
  for (const p of parts) {
    for (const k of Object.keys(out) as (keyof FleetStats)[]) {
      const v = p[k];
      if (typeof v === 'number')
        (out as unknown as Record<string, number>)[k] =
          k === 'virtualTimeMs' ? Math.max(out.virtualTimeMs, v) : (out[k] as number) + v;
    }
    for (const k of SIM_UPLINK_KINDS) out.published[k] += p.published[k];
    for (const [r, n] of Object.entries(p.refusals)) out.refusals[r] = (out.refusals[r] ?? 0) + n;
    for (const [r, n] of Object.entries(p.registrationRefusals))
      out.registrationRefusals[r] = (out.registrationRefusals[r] ?? 0) + n;
    for (const [k, n] of Object.entries(p.linkFailures)) out.linkFailures[k] = (out.linkFailures[k] ?? 0) + n;
    out.registeredAtMs.push(...p.registeredAtMs);
    out.connectedAtMs.push(...p.connectedAtMs);
    for (const [r, n] of Object.entries(p.linkErrors)) out.linkErrors[r] = (out.linkErrors[r] ?? 0) + n;
    Object.assign(out.modelsMissing, p.modelsMissing);
    for (const [m, a] of Object.entries(p.accuracy)) {
      const t = (out.accuracy[m] ??= { inferences: 0, correct: 0 });
      t.inferences += a.inferences;
      t.correct += a.correct;
    }
  }
  return out;
}

const J = (uj: number) => (uj >= 1e9 ? `${(uj / 1e9).toFixed(2)} kJ` : `${(uj / 1e6).toFixed(1)} J`);

export function formatVirtualSpan(ms: number): string {
  const d = Math.floor(ms / 86_400_000);
  const h = Math.floor((ms % 86_400_000) / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  return `${d ? `${d}d ` : ''}${String(h).padStart(2, '0')}h${String(m).padStart(2, '0')}m`;
}

/** One progress line: nodes online, rates since the previous line, virtual time, joules. */
export function progressLine(s: FleetStats, prev: FleetStats | null, dtS: number, virtualStartMs: number): string {
  const rate = (now: number, before: number | undefined) =>
    prev && dtS > 0 ? ((now - (before ?? 0)) / dtS).toFixed(1) : '–';
  // Like for like: the raw-streaming node would pay the same connects and keep-alives, so compare messages.
  const radio = `messages ${J(s.radioMessagesUj)} vs raw streaming ${J(s.rawRadioUj)}`;
  return [
    `online ${s.online}/${s.nodes}`,
    `events ${rate(s.eventsAcked, prev?.eventsAcked)}/s (${s.eventsAcked} stored, ${s.buffered} buffered, ${s.dropped} dropped)`,
    `inferences ${rate(s.inferences, prev?.inferences)}/s`,
    `virtual +${formatVirtualSpan(s.virtualTimeMs - virtualStartMs)}`,
    `energy ${J(s.energyUj)} (radio ${J(s.radioUj)}: ${radio})`,
  ].join(' | ');
}
