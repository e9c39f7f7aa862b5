import { OTA_DEVICE_STATES, type OtaJobState } from '@tinyfleet/wire';
import { defineStateMachine } from '../../common/state-machine';

/**
 * One device's execution of a rollout. The server sets QUEUED, NOTIFIED, TIMED_OUT, CANCELED,
 * SKIPPED (incompatible, decided before anything was sent) and ROLLED_BACK; the device reports the
 * others with exactly these words on `up/ota-status`. Both word lists live in libs/wire
 * (OTA_SERVER_STATES, OTA_DEVICE_STATES), so server and wire vocabulary cannot drift apart. A
 * device may skip forward (it already holds the model in its other slot: NOTIFIED → VERIFIED). FAILED may be retried by the executor (→ NOTIFIED) while
 * attempts remain; REJECTED never is (the device says it cannot run this model).
 */
export type { OtaJobState };

/** After an offer the device may report any of its words. */
const AFTER_OFFER: readonly OtaJobState[] = OTA_DEVICE_STATES;

export const otaJobMachine = defineStateMachine<OtaJobState>({
  QUEUED: ['NOTIFIED', 'CANCELED'],
  NOTIFIED: ['NOTIFIED', ...AFTER_OFFER, 'TIMED_OUT', 'CANCELED'],
  DOWNLOADING: ['NOTIFIED', ...AFTER_OFFER, 'TIMED_OUT', 'CANCELED'],
  DOWNLOADED: ['NOTIFIED', 'VERIFIED', 'APPLYING', 'SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED'],
  VERIFIED: ['NOTIFIED', 'APPLYING', 'SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED'],
  APPLYING: ['SUCCEEDED', 'FAILED', 'TIMED_OUT'],
  SUCCEEDED: ['ROLLED_BACK'],
  FAILED: ['NOTIFIED'],
  REJECTED: [],
  TIMED_OUT: [],
  CANCELED: [],
  SKIPPED: [],
  ROLLED_BACK: [],
});

/** States in which the device is working on it (a deadline runs). */
export const IN_FLIGHT_STATES: readonly OtaJobState[] = [
  'NOTIFIED',
  'DOWNLOADING',
  'DOWNLOADED',
  'VERIFIED',
  'APPLYING',
];

/**
 * In flight and waiting on the device (not yet switching models): a device that reconnects in one
 * of these gets the offer again at once, so it resumes without waiting for the job's deadline.
 */
export const AWAITING_DEVICE_STATES: readonly OtaJobState[] = ['NOTIFIED', 'DOWNLOADING', 'DOWNLOADED', 'VERIFIED'];
