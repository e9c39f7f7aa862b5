/**
 * The simulator's public surface: what the CLI (and anything outside device-sim) may use. Fleet
 * planning, set-up against a running platform, the worker-thread runner and its progress line.
 */
export { startDefaultFleet } from './fleet/default-fleet';
export type { FleetStats } from './fleet/fleet-host';
export { parseDurationMs, planFleet, startGasNodesBefore } from './fleet/fleet-plan';
export { runFleet } from './fleet/fleet-runner';
export {
  createFleetClaim,
  defaultDataDir,
  defaultModelCacheDir,
  defaultStateDir,
  fetchMqttEndpoints,
  parseClaimToken,
} from './fleet/fleet-setup';
export { formatVirtualSpan, progressLine } from './fleet/fleet-stats';
export { optimizeWorkerHeapsForSize } from './fleet/worker-heap-sizing';
export { uciBatchStartRow } from './streams/gas.stream';
export { UciTruth } from './streams/uci-truth';
export { loadUserStream, USER_STREAM } from './streams/user.stream';
export type { UserStreamOptions } from './streams/user.stream';
export type { NodeSpec } from './fleet/fleet-plan';
