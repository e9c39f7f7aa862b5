/**
 * One device's part in an evidence request. Every change goes through this table: a status that
 * does not move the row (a re-delivered `accepted`, a `done` after `declined`) changes nothing.
 */
export const EVIDENCE_DEVICE_STATES = ['requested', 'accepted', 'declined', 'done'] as const;
export type EvidenceDeviceState = (typeof EVIDENCE_DEVICE_STATES)[number];

const TRANSITIONS: Record<EvidenceDeviceState, readonly EvidenceDeviceState[]> = {
  requested: ['accepted', 'declined', 'done'], // 'done' straight away when the accepted status was lost
  accepted: ['done'],
  declined: [],
  done: [],
};

export function mayMove(from: EvidenceDeviceState, to: EvidenceDeviceState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Whether chunks of the device's upload are still welcome. */
export function takesChunks(state: EvidenceDeviceState): boolean {
  return state === 'requested' || state === 'accepted' || state === 'done';
}

/**
 * Whether a window would take the device past what the request asked for: an index at or beyond
 * `maxWindows`, or a blob that brings the bytes stored for the (request, device) above `maxBytes`
 * (docs/protocol.md §12.1: an honest device never sends either).
 */
export function exceedsRequest(
  request: { maxWindows: number; maxBytes: number },
  receivedBytes: number,
  windowIndex: number,
  blobBytes = 0,
): boolean {
  return windowIndex >= request.maxWindows || receivedBytes + blobBytes > request.maxBytes;
}
