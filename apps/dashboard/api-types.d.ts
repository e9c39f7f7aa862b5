// The parts of the operator API's responses that the dashboard reads (type declarations only; the
// full contract is the OpenAPI document at /docs). The views name them in JSDoc:
// `@type {import('../api-types').Device}`.

export type DeviceLifecycle = 'PROVISIONED' | 'ACTIVE' | 'SUSPENDED' | 'DECOMMISSIONED';
export type Connectivity = 'ONLINE' | 'OFFLINE';

/** GET /api/devices items. */
export interface Device {
  id: string;
  hardwareId: string;
  claimId: string | null;
  mcuProfile: string;
  radioProfile: string;
  sensorStream: string;
  firmwareVersion: string;
  interpreterVersion: string;
  tags: string[];
  lifecycle: DeviceLifecycle;
  connectivity: Connectivity;
  eventsCount: number;
  rejectedCount: number;
  lastSeenAt: string | null;
  /** When the platform stored the last status heartbeat. */
  lastStatusAt: string | null;
  createdAt: string;
}

/** GET /api/devices?… */
export interface DevicePage {
  items: Device[];
  total: number;
  offset: number;
  limit: number;
}

/** A model slot in a status heartbeat (null: empty). */
export interface StatusSlot {
  modelId: string;
  modelVersion: string;
  sizeBytes: number;
  sha256: string;
}

/** The device's last status heartbeat, as stored. */
export interface DeviceStatus {
  activeSlot?: number;
  slots?: Array<StatusSlot | null>;
  batteryPct?: number;
  batteryMv?: number;
  uptimeS?: number;
  bufferedEvents?: number;
  droppedEvents?: number;
}

/** GET /api/devices/:id */
export interface DeviceDetail extends Device {
  lastStatus: DeviceStatus | null;
  /** The latest up/capabilities; null: never reported (admission then checks the platform's op list). */
  capabilities: DeviceCapabilities | null;
}

/** The kernels the device's firmware registered (docs/protocol.md "Op sets"). */
export interface DeviceCapabilities {
  /** `ops-` + 12 hex digits of the sha-256 of the canonical op-set bytes. */
  opSetId: string;
  /** `types` null: every type the kernel has. */
  ops: Array<{ op: string; types: string[] | null }>;
  /** Op codes newer than the platform, by number. */
  unknownOpCodes: number[];
  reportedAt: string;
}

/** GET /api/devices/:id/events items, newest first. */
export interface DeviceEvent {
  seq: number;
  deviceTime: string;
  receivedAt: string;
  modelId: string | null;
  modelVersion: string | null;
  modelTag: number;
  label: number;
  scoreQ: number;
  latencyUs: number;
  energyUj: number;
}

/** GET /api/dashboard/summary: device counts by dimension value. */
export interface FleetSummary {
  total: number;
  eventsPerSecond: number;
  eventsTotal: number;
  counts: Record<
    'lifecycle' | 'connectivity' | 'stream' | 'mcuProfile' | 'radioProfile' | 'model',
    Record<string, number>
  >;
}

/** A pipeline stage's accuracy in a model's manifest (a 0–1 fraction, or a percentage in old manifests). */
export interface StageMetric {
  stage: string;
  accuracy: number;
  notes?: string;
}

/** GET /api/models items. */
export interface ModelVersion {
  name: string;
  version: string;
  sizes: { float32TfliteBytes?: number; tfliteBytes: number; otaBytes?: number | null };
  arenaBytes: number;
  /** Device RAM the interpreter needs (activations + scratch + persistent). */
  ramBytes: number;
  memory: { activationsBytes: number; scratchBytes: number; persistentBytes: number; totalBytes: number } | null;
  flashBytes: number;
  macs: number;
  metrics: StageMetric[] | null;
  keyId: string;
  minInterpreterVersion: string;
  labels?: string[] | null;
}

/** GET /api/dashboard/mcu-profiles: flash and RAM budgets from libs/energy. */
export interface McuProfile {
  id: string;
  label: string;
  core: string;
  flashBytes: number;
  sramBytes: number;
  flashBytesForModel: number;
  ramBytesForArena: number;
}

/** GET /api/ota-jobs items. */
export interface OtaJob {
  id: number;
  rolloutId: number;
  deviceId: string;
  state: string;
  reason: string | null;
  form: string | null;
  attempts: number;
  chunksReceived: number | null;
  chunksTotal: number | null;
  events: Array<{ at: string; fromState: string; toState: string; source: string; reason: string | null }>;
}

/** Joules per device-day by part. */
export interface JoulesPerDay {
  total: number;
  radio: number;
  compute: number;
  sensing: number;
  sleep: number;
}

/** The energy report's figures for the fleet, a group or a time bucket. */
export interface EnergyFigures {
  devices: number;
  deviceDays: number;
  edgeJoulesPerDay: JoulesPerDay;
  rawJoulesPerDay: JoulesPerDay;
  edgeSavingPct: number | null;
  radioSharePct: number | null;
  energyPerInferenceUj: number | null;
  /** edge-better | edge-worse | no-difference | no-data | no-inference (every device idle). */
  verdict: string;
  battery: { edgeDays: number; rawDays: number; limitedByShelfLife: number };
}

/** GET /api/energy/report?format=json */
export interface EnergyReport {
  filters: { bucket: string };
  fleet: { figures: EnergyFigures };
  groups: Array<{ groupBy: string; key: string; label?: string | null; figures: EnergyFigures }>;
  timeSeries: Array<{ key: string; figures: EnergyFigures }>;
  findings: string[];
}

/** One side (updated devices or the control group) of a health-gate reading. */
export interface GateSide {
  devices: number;
  eventsPerDeviceHour: number | null;
  meanScoreQ: number | null;
  meanEnergyUj: number | null;
  accuracyPct?: number | null;
  accuracyInferences: number;
  /** up/summary signals summed over the window (readings stored before #18 have none). */
  summary?: { inferences: number } | null;
}

export interface GateReadings {
  pass: boolean | null;
  evaluatedAt: string;
  updated: GateSide;
  control: GateSide;
  breaches: string[];
  notJudged?: string[];
}

/** A rollout's health gates, as configured (defaults filled in). */
export interface Gates {
  minDevicesPerSide?: number;
  soakS?: number;
  maxEventRateChange?: number;
  maxScoreShiftQ?: number;
  maxEnergyPerInferenceRatio?: number;
  maxAccuracyDropPct?: number;
  minAccuracyInferences?: number;
  maxDriftPsi?: number;
  minDriftInferences?: number;
  autoRollback?: boolean;
}

/** One gate's verdict on a group's readings, as the executor judged it. */
export interface GateVerdict {
  gate: 'devices' | 'event-rate' | 'score-shift' | 'energy-ratio' | 'accuracy-drop' | 'drift';
  reading: number | null;
  limit: number | null;
  verdict: 'pass' | 'fail' | 'not-judged' | 'off';
}

export interface RolloutGroup {
  id: number;
  index: number;
  state: string;
  successThresholdPct: number;
  errorThresholdPct: number;
  /** Jobs by state. */
  jobs: Record<string, number>;
  jobsTotal: number;
  /** Jobs a device is working on (offered, downloading, verifying, applying). */
  jobsInFlight: number;
  gateReadings: GateReadings | null;
  gateVerdicts: GateVerdict[] | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export type RolloutAction = 'pause' | 'resume' | 'abort' | 'rollback';

/** GET /api/rollouts items. */
export interface Rollout {
  id: number;
  name: string;
  state: string;
  stateReason: string | null;
  rollbackOf: number | null;
  createdAt: string;
  /** The operator commands its state allows now. */
  allowedActions: RolloutAction[];
  model: { name: string; version: string };
  errorAction: 'pause' | 'abort';
  gates: Gates;
  groups: RolloutGroup[];
  skipped: Array<{ deviceId: string; reason: string }>;
}

/** GET /api/drift: one window's label-free drift verdict. */
export interface DriftPoint {
  windowStart: string;
  windowEnd: string;
  verdict: 'drift' | 'stable' | 'insufficient-data';
  devices: number;
  inferences: number;
  classMixPsi: number | null;
  scoreJsBits: number | null;
  maxInputShiftSd: number | null;
  lowMarginRate: number | null;
  reasons: string[];
}

export interface CohortDrift {
  modelId: string;
  modelVersion: string;
  stream: string;
  mcu: string;
  radio: string;
  referenceSource: string;
  latest: DriftPoint;
  series: DriftPoint[];
}

export interface DriftOverview {
  method: {
    thresholds: {
      classMixPsi: number;
      scoreJsBits: number;
      inputShiftSd: number;
      inputShiftP: number;
      minInferences: number;
    };
    windowHours: number;
    stepMinutes: number;
    measures: string;
  };
  cohorts: CohortDrift[];
}

/** GET /api/evidence/windows items (docs/protocol.md §12). */
export interface EvidenceWindow {
  id: number;
  requestId: number;
  deviceId: string;
  windowIndex: number;
  modelTag: number;
  model: string | null;
  deviceTime: string;
  predicted: number;
  predictedLabel: string | null;
  scoreQ: number;
  marginQ: number;
  format: 'f32le' | 'u8';
  samples: number;
  valuesPerSample: number;
  imageWidth: number;
  blobBytes: number;
  receivedAt: string;
  expiresAt: string;
  operatorLabel: string | null;
  labelledAt: string | null;
}

/** GET /api/evidence/windows/:id */
export interface EvidenceWindowDetail extends EvidenceWindow {
  labels: string[] | null;
  channels: string[] | null;
  values: number[] | null;
}

/** GET /api/evidence/requests items. */
export interface EvidenceRequest {
  id: number;
  modelTag: number;
  model: string | null;
  selector: string;
  maxWindows: number;
  maxBytes: number;
  dailyBudgetBytes: number | null;
  deadline: string;
  createdAt: string;
  devices: Array<{
    deviceId: string;
    state: string;
    reason: string | null;
    windowCount: number;
    plannedBytes: number;
    receivedBytes: number;
    windowsStored: number;
  }>;
}
