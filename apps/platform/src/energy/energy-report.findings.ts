import type { EnergyFigures } from './energy-aggregate';
import type { EnergyReport, GroupRow, RolloutRow } from './energy-report.types';
import type { DutyCycleCheck } from './energy-what-if';

const n = (x: number, digits = 3): string =>
  Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : Number(x.toPrecision(digits)).toString();
const days = (d: number | null, f?: EnergyFigures): string => {
  if (d === null) return 'n/a';
  const s = d >= 365.25 ? `${n(d / 365.25)} years` : `${n(d)} days`;
  return f && f.battery.limitedByShelfLife === f.battery.devices && f.battery.devices > 0 ? `${s} (shelf-life cap)` : s;
};
export const bytes = (b: number): string =>
  b >= 1e9 ? `${n(b / 1e9)} GB` : b >= 1e6 ? `${n(b / 1e6)} MB` : b >= 1e3 ? `${n(b / 1e3)} kB` : `${n(b)} B`;

function comparison(label: string, f: EnergyFigures): string | null {
  const e = f.edgeJoulesPerDay.total;
  const r = f.rawJoulesPerDay.total;
  if (f.verdict === 'no-data') return null;
  if (f.verdict === 'no-inference')
    return `${label}: no inference ran and nothing was streamed (no model installed, or one that does not fit), so edge vs raw does not apply.`;
  if (f.verdict === 'edge-worse') {
    return `${label}: edge inference is WORSE than streaming raw data — ${n(e)} J/day with the model vs ${n(r)} J/day streaming every sample (${n(-(f.edgeSavingPct ?? 0))} % more; inference compute ${n(f.inferenceComputePerInferenceUj ?? 0)} µJ per inference costs more than the radio it saves).`;
  }
  if (f.verdict === 'no-difference')
    return `${label}: edge and raw streaming cost the same (${n(e)} J/day)${f.modes.streaming === f.devices ? ' — it streams raw data itself' : ''}.`;
  return `${label}: edge inference saves ${n(f.edgeSavingPct ?? 0)} % (${n(e)} vs ${n(r)} J/day; raw/edge = ${n(f.rawToEdgeRatio ?? 0)}×); battery ${days(f.battery.edgeDays, f)} vs ${days(f.battery.rawDays)} raw.`;
}

function shares(f: EnergyFigures): string {
  const t = f.edgeJoulesPerDay.total || 1;
  const p = (x: number) => `${n((x / t) * 100)} %`;
  return `radio ${p(f.edgeJoulesPerDay.radio)}, compute ${p(f.edgeJoulesPerDay.compute)}, sensing ${p(f.edgeJoulesPerDay.sensing)}, sleep ${p(f.edgeJoulesPerDay.sleep)}`;
}

function duty(radio: string, c: DutyCycleCheck, devices: number, now: boolean): string | null {
  const over = (s: number) => `max ${n(s)} s/day${s > 86_400 ? ' — more airtime than a day has' : ''}`;
  const parts: string[] = [];
  if (c.edgeViolations)
    parts.push(`edge traffic on ${c.edgeViolations} of ${devices} devices (${over(c.maxEdgeAirtimeSPerDay)})`);
  if (c.rawViolations)
    parts.push(`raw streaming on ${c.rawViolations} of ${devices} devices (${over(c.maxRawAirtimeSPerDay)})`);
  const where = now ? `${radio} (devices on it now)` : `${radio} (what-if)`;
  if (parts.length)
    return `${where}: ${parts.join('; ')} would exceed the EU868 1 % duty cycle (${c.dutyCycleLimitSPerDay} s airtime/day): not allowed on air.`;
  if (c.rawFairUseViolations || c.edgeFairUseViolations) {
    return `${where}: within the EU868 1 % duty cycle, but over TTN's ${c.fairUseLimitSPerDay} s/day fair use — edge on ${c.edgeFairUseViolations}, raw on ${c.rawFairUseViolations} of ${devices} devices.`;
  }
  return null;
}

const pct = (x: number): string => `${x.toFixed(1)} %`;

/**
 * "accuracy 62.5 % → 87.2 % (+24.7 pts, n=240 → 250 inferences …)" from the devices' ground-truth
 * logs, or what one side has when the other has no reports; null when neither has.
 */
function accuracyChange(o: RolloutRow): string | null {
  const nBefore = o.accuracyBeforeInferences.toLocaleString('en-US');
  const nAfter = o.accuracyAfterInferences.toLocaleString('en-US');
  if (o.accuracyBeforePct !== null && o.accuracyAfterPct !== null) {
    const pts = o.accuracyAfterPct - o.accuracyBeforePct;
    return `accuracy ${pct(o.accuracyBeforePct)} → ${pct(o.accuracyAfterPct)} (${pts >= 0 ? '+' : ''}${pts.toFixed(1)} pts, n=${nBefore} → ${nAfter} inferences checked on the devices)`;
  }
  if (o.accuracyBeforePct !== null)
    return `accuracy before ${pct(o.accuracyBeforePct)} (n=${nBefore}), no accuracy report on the new model yet`;
  if (o.accuracyAfterPct !== null)
    return `accuracy after ${pct(o.accuracyAfterPct)} (n=${nAfter}), no accuracy report from before`;
  return null;
}

/** Past this many, the devices where edge loses are named in one line (the per-device table has them all). */
const DEVICE_LINES_MAX = 4;

/** Plain statements: the fleet's answer, then where edge loses (groups, devices), radios, what-ifs, limits and privacy. */
export function findingsFor(
  r: EnergyReport,
  loraNow: Array<{ radio: string; check: DutyCycleCheck; devices: number }>,
): string[] {
  const out: string[] = [];
  const fleet = r.fleet.figures;
  if (fleet.devices === 0) {
    out.push(
      'No energy snapshots in the selected range and filters: nothing to compare. (Devices publish EnergySnapshotV1 on tinyfleet/v1/d/<id>/up/energy.)',
    );
    return out;
  }
  out.push(comparison(`Fleet (${fleet.devices} devices, ${n(fleet.deviceDays)} device-days, per device-day)`, fleet)!);
  // Groups of one device repeat that device's line; only larger groups add information.
  const multi = (g: GroupRow) => g.groupBy !== 'device' && g.figures.devices > 1;
  for (const g of r.groups.filter((g) => multi(g) && g.figures.verdict === 'edge-worse'))
    out.push(comparison(`${g.groupBy} ${g.key} (${g.figures.devices} devices)`, g.figures)!);
  const name = (g: GroupRow) => `${g.key}${g.label && g.label !== g.key ? ` (${g.label})` : ''}`;
  const worse = r.groups.filter((g) => g.groupBy === 'device' && g.figures.verdict === 'edge-worse');
  if (worse.length > DEVICE_LINES_MAX) {
    const each = worse.map((g) => `${name(g)} +${n(-(g.figures.edgeSavingPct ?? 0))} %`).join(', ');
    out.push(
      `${worse.length} devices: edge inference is WORSE than streaming raw data (energy per day with the model vs streaming every sample; inference compute costs more than the radio it saves): ${each}.`,
    );
  } else for (const g of worse) out.push(comparison(`Device ${name(g)}`, g.figures)!);
  out.push(
    `Edge energy by part, fleet: ${shares(fleet)}. The radio's share would be ${n(fleet.rawRadioSharePct ?? 0)} % when streaming raw.`,
  );
  for (const g of r.groups.filter((g) => g.groupBy === 'radioProfile')) {
    const c = comparison(
      `Radio ${g.key} (${g.figures.devices} device${g.figures.devices === 1 ? '' : 's'})`,
      g.figures,
    );
    if (c) out.push(`${c} Edge energy: ${shares(g.figures)}.`);
  }
  const modes = fleet.modes;
  if (modes.streaming)
    out.push(
      `${modes.streaming} device(s) run no model and stream every sample themselves: for them edge and raw are the same node.`,
    );
  if (modes.idle)
    out.push(
      `${modes.idle} device(s) ran no inference and streamed nothing (no model installed, or one that does not fit): their "edge" figures are of a node that neither concludes nor streams.`,
    );
  const wi = r.whatIf.radio.filter((w) => w.figures.devices > 0);
  if (wi.length) {
    out.push(
      `Same workload on other radios (raw ÷ edge energy, < 1 means streaming is cheaper): ${wi.map((w) => `${w.key} ${w.figures.rawToEdgeRatio === null ? 'n/a' : `${n(w.figures.rawToEdgeRatio)}×`}`).join(', ')}.`,
    );
  }
  for (const l of loraNow) {
    const s = duty(l.radio, l.check, l.devices, true);
    if (s) out.push(s);
  }
  for (const w of r.whatIf.radio) {
    const s = w.dutyCycle ? duty(w.key, w.dutyCycle, w.figures.devices, false) : null;
    if (s) out.push(s);
  }
  out.push(
    fleet.otaDownloadJ > 0
      ? `OTA downloads (estimate from delivered chunks, all jobs): ${n(fleet.otaDownloadJ)} J across the fleet — already inside the radio figures; devices do not report OTA energy separately.`
      : 'OTA download energy: 0 J — no OTA job has delivered chunks to these devices.',
  );
  for (const o of r.rollouts) {
    const energy =
      o.energyPerInferenceChangePct === null
        ? null
        : `energy per inference ${n(o.before.meanEnergyPerInferenceUj ?? 0)} → ${n(o.after.meanEnergyPerInferenceUj ?? 0)} µJ (${o.energyPerInferenceChangePct > 0 ? '+' : ''}${n(o.energyPerInferenceChangePct)} %)`;
    const accuracy = accuracyChange(o);
    if (energy === null && accuracy === null) continue;
    out.push(
      `Rollout #${o.rolloutId} ${o.name} (${o.model}): ${[energy, accuracy ?? 'accuracy not available (no accuracy reports)'].filter(Boolean).join('; ')}.`,
    );
  }
  if (fleet.battery.infeasible)
    out.push(
      `${fleet.battery.infeasible} device(s) draw radio peaks above their cell's pulse limit: their battery projections are not achievable.`,
    );
  const kept =
    fleet.rawPayloadBytesKept === null
      ? 'an unknown amount (a stream without a sensor profile)'
      : bytes(fleet.rawPayloadBytesKept);
  out.push(
    `Privacy: ${kept} of raw sensor data never left the devices; ${bytes(fleet.airBytesAvoided)} on air avoided.`,
  );
  return out;
}
