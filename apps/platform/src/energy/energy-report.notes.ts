import {
  BATTERY_PROFILES,
  MCU_PROFILES,
  RADIO_PROFILES,
  SENSOR_PROFILES,
  validateAgainstMlperf,
  VALIDATION_GOAL,
} from '@tinyfleet/energy';
import { DOC_HAND_COUNTED_LAYERS } from '@tinyfleet/energy/validation/doc-hand-counted-layers';
import { DEFAULT_BATTERY } from './energy-profiles';
import { CONFIG_PAYLOAD_BYTES, EVENT_PAYLOAD_BYTES, TELEMETRY_PAYLOAD_BYTES } from './energy-what-if';

/** Units of every figure in the report (JSON keys and CSV headers carry them too). */
export const UNITS: Record<string, string> = {
  joulesPerDay: 'J per device-day of observed time (device virtual clock)',
  totalJ: 'J over the range',
  energyPerInferenceUj: 'µJ of all node energy (edge) per inference',
  inferenceComputePerInferenceUj: 'µJ of MCU inference compute per inference',
  energyPerEventUj: 'µJ of all node energy (edge) per event sent',
  bytesOnAirPerDay: 'bytes on air per device-day, both directions, every protocol overhead',
  messagesUpPerDay: 'uplink messages (LoRa: frames) per device-day',
  batteryLifeDays: 'days, median over devices of each projection on its own battery, capped at shelf life',
  sharePct: '% of the node energy',
  rawPayloadBytesKept: 'bytes of raw sensor payload that never left the devices',
  airtimeSPerDay: 's of radio airtime per device-day',
};

export const ASSUMPTIONS: string[] = [
  "Energy comes from the devices' own joule ledgers (EnergySnapshotV1, cumulative since boot). Consecutive snapshots of one (device, boot) are diffed; a new bootId starts from zero, so a reboot loses nothing; duplicates count once; out-of-order snapshots are ordered by seq.",
  "Observed time is the device's virtual clock between consecutive snapshots of one boot. The time between a boot and its first snapshot is unknown (no boot time on the wire): that energy is counted, that time is not (the simulator snapshots at connect, seconds after boot). Energy spent after a boot's last snapshot and before a reboot is never reported.",
  'An interval belongs to the time range and time bucket in which it ends.',
  'Edge = what the node did: radio (TX incl. ACKs + RX + connect/keep-alive) + compute (inference and MCU wake-ups) + sensing + sleep.',
  "Raw streaming (counterfactual) = the same node sending every sample as it is taken instead of running the model: the ledger's rawRadioUj (same radio, same QoS) + the status/energy telemetry it would still send (the telemetry share of radioTxUj by message count) + the same downlinks and link upkeep; compute minus inference compute (it still wakes per sample); the same sensing and sleep. The raw node's extra awake time is not charged against sleep (< 0.1 % of a day for every profile).",
  "Inference compute = inferences × the mean energy_uj per inference the device reported in its events; without events, computeUj − samples × the MCU's wakeUj (one wake per sample); with an unknown MCU, all computeUj (favours raw).",
  `Battery: a device tag battery-<id> (set it on the claim; its tags are copied to the devices) (${Object.keys(BATTERY_PROFILES).join(', ')}), else the report's battery parameter, else ${DEFAULT_BATTERY} — the protocol does not carry the battery. Battery life = usable energy / (average power + self-discharge), capped at shelf life; a radio whose peak current exceeds the cell's pulse limit makes the projection infeasible (counted).`,
  `What-if radios: the same counts (events, telemetry, raw samples, downlinks, boots, observed time) re-costed with messageCost/connectCost/keepAliveCostUj of the target radio: event ${EVENT_PAYLOAD_BYTES} B, telemetry ${TELEMETRY_PAYLOAD_BYTES} B, config downlink ${CONFIG_PAYLOAD_BYTES} B, raw sample payload recovered by inverting the source radio's byte model, QoS 1, one connect per boot. LoRa payloads above the PHY limit (255 B) are fragmented (EU868 per-data-rate payload limits are not applied). Sleep scales with the radio's sleep current.`,
  "What-if MCUs: MACs per inference are not in the data; they are derived as inference µJ ÷ the source MCU's µJ/MAC (optimised convolution cycles/MAC ÷ clock × active power × NN activity factor) and re-costed at the target's µJ/MAC; wake-ups scale by wakeUj, sleep by the node floor. Whether the model fits the target's memory is not checked (ATmega328P: 2 KB SRAM fits no MLPerf model).",
  'LoRaWAN: EU868 1 % duty cycle per sub-band (864 s airtime/day) and the TTN fair-use policy (30 s/day) are checked per device for edge and raw.',
  'Profile ids: exact library ids, or a unique library id ending in -<id> (ble-1m → nrf52840-ble-1m). Unknown profiles: no battery-peak check, no what-if for that device.',
  'Model version of a device = the active slot of its last status (snapshots do not carry the model).',
  'Rollouts: "before" = inference events of the rollout\'s devices from any other model, "after" = their events from the rolled-out model (matched by model id and version, not by time: event times are device clock, rollout times wall clock). Accuracy before/after splits the same devices\' accuracy reports the same way, over all their reports.',
  "On-device accuracy comes from the devices' accuracy reports (AccuracyReportV1 on up/accuracy): per model tag, the inferences checked against a ground-truth label since boot and how many predicted it. In simulation the label is the dataset's label of each sample the node replays (its ground-truth log); a field device would need labelled spot checks. Counts are cumulative per (device, boot, model tag): over a range, each series counts its last report in the range minus its last report before it (or from zero when the boot started inside the range); a new bootId starts a new series. The model is the one the tag named in the device's last status when the report arrived; n = the inferences behind a figure.",
  "OTA download estimate: chunks received × the radio's QoS 1 downlink cost of one chunk (mean chunk size + 19 B OtaChunkV1 framing) + one 16-B chunk request uplink per 16 chunks; LoRa frames fragmented as in the what-if.",
];

export const NOT_AVAILABLE: string[] = [
  "OTA download energy as measured by the devices: not available — EnergySnapshotV1 has no OTA counter, so OTA radio energy (when a device charges it) sits inside radioRxUj/radioTxUj. The OTA figure shown is an estimate from the platform's delivery counts (ota_jobs.chunks_received), over all of a device's OTA jobs (job times are wall clock, snapshots are device virtual time, so it is not time-filtered); 0 J where no OTA job exists.",
  'On-device accuracy where no device sent an accuracy report for that model (in the range, or before/after a rollout): not available, shown as "no reports" — devices without a ground-truth log (field devices without labelled spot checks) never send one.',
  'Board-level sleep floors (regulators, LEDs, USB) are not in the chip profiles; a board floor would shorten every battery life here.',
];

export interface ValidationSummaryRow {
  role: string;
  latencyN: number;
  latencyMaxAbsPct: number;
  latencyMeanAbsPct: number;
  energyN: number;
  energyMaxAbsPct: number;
  energyMeanAbsPct: number;
}

export interface ValidationView {
  description: string;
  goal: { latencyPct: number; energyPct: number };
  summary: ValidationSummaryRow[];
  rows: Array<{
    board: string;
    stack: string;
    model: string;
    round: string;
    latencyErrorPct: number;
    energyErrorPct: number | null;
    source: string;
  }>;
}

let validationCache: ValidationView | null = null;

/** The energy model's error against MLPerf Tiny measurements (libs/energy; 8 ms, computed once). */
export function mlperfValidation(): ValidationView {
  if (validationCache) return validationCache;
  const v = validateAgainstMlperf(DOC_HAND_COUNTED_LAYERS);
  const r = (x: number) => Number(x.toFixed(1));
  validationCache = {
    description:
      "Compute model (cycles/MAC × clock × NN power) vs MLPerf Tiny v0.5–v1.2 latency and energy. Validation rows: held-out ST X-CUBE-AI runs on STM32U575 (M33) and STM32H7A3 (M7), leave-one-round-out; cross-check: other vendors, latency only. MACs here are the doc's hand counts (energy-sources.md §2); libs/energy's spec repeats this on the real model files (same totals).",
    goal: { ...VALIDATION_GOAL },
    summary: (Object.entries(v.summary) as Array<[string, (typeof v.summary)['validation']]>).map(([role, s]) => ({
      role,
      latencyN: s.latencyN,
      latencyMaxAbsPct: r(s.latencyMaxAbsPct),
      latencyMeanAbsPct: r(s.latencyMeanAbsPct),
      energyN: s.energyN,
      energyMaxAbsPct: r(s.energyMaxAbsPct),
      energyMeanAbsPct: r(s.energyMeanAbsPct),
    })),
    rows: v.rows
      .filter((row) => row.role === 'validation')
      .map((row) => ({
        board: row.board,
        stack: row.stack,
        model: row.model,
        round: row.round,
        latencyErrorPct: r(row.latencyErrorPct),
        energyErrorPct: row.energyErrorPct === null ? null : r(row.energyErrorPct),
        source: row.source,
      })),
  };
  return validationCache;
}

export interface SourceEntry {
  profile: string;
  field: string;
  source: string;
}

/** Every cited figure behind the profiles the report used (fleet and what-if targets). */
export function sourcesFor(ids: {
  mcus: string[];
  radios: string[];
  batteries: string[];
  sensors: string[];
}): SourceEntry[] {
  const out: SourceEntry[] = [];
  const add = (kind: string, table: Record<string, { sources: object }>, list: string[]) => {
    for (const id of [...new Set(list)].sort()) {
      const p = table[id];
      if (!p) continue;
      for (const [field, source] of Object.entries(p.sources))
        out.push({ profile: `${kind} ${id}`, field, source: String(source) });
    }
  };
  add('MCU', MCU_PROFILES, ids.mcus);
  add('radio', RADIO_PROFILES, ids.radios);
  add('battery', BATTERY_PROFILES, ids.batteries);
  add('sensor', SENSOR_PROFILES, ids.sensors);
  return out;
}
