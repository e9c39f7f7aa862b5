/**
 * The only error type the wire library throws. Callers (broker ACL, ingest, device-sim) switch on
 * `reason` to pick a metric/log label, so reasons are a closed string union rather than classes.
 */
export type WireErrorReason =
  /** Raw payload longer than the kind's MAX_PAYLOAD_BYTES; rejected before any parsing. */
  | 'oversized'
  /** Not well-formed CBOR, or outside the tinyfleet CBOR profile (see docs/protocol.md). */
  | 'malformed'
  /** Well-formed CBOR whose value does not match the message schema (or an invalid value to encode). */
  | 'schema'
  /** Topic / kind that this protocol version does not define. */
  | 'unknown-topic';

export const WIRE_ERROR_REASONS: readonly WireErrorReason[] = ['oversized', 'malformed', 'schema', 'unknown-topic'];

export class WireError extends Error {
  override readonly name = 'WireError';

  constructor(
    readonly reason: WireErrorReason,
    message: string,
  ) {
    super(`${reason}: ${message}`);
    // Keep instanceof working even if a consumer transpiles to ES5.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export function isWireError(error: unknown): error is WireError {
  return error instanceof WireError;
}
