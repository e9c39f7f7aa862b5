import { decodeCbor, encodeCbor } from './codec';
import { WireError } from './errors';
import type { FieldCodec } from './schema';

/** Encoder/decoder pair for one message type and version. */
export interface MessageCodec<T> {
  /** Name used as the root of error paths, e.g. `InferenceEventV1.seq`. */
  readonly name: string;
  /** Payloads longer than this are rejected with 'oversized' before any parsing. */
  readonly maxBytes: number;
  /** Validates, then encodes. Throws WireError('schema') for an invalid message. */
  encode(message: T): Uint8Array;
  /** Strictly decodes. Throws only WireError. */
  decode(bytes: Uint8Array): T;
}

export function defineMessage<T>(name: string, maxBytes: number, codec: FieldCodec<T>): MessageCodec<T> {
  return {
    name,
    maxBytes,
    encode(message: T): Uint8Array {
      let bytes: Uint8Array;
      try {
        bytes = encodeCbor(codec.encode(message, name));
      } catch (error) {
        throw asWireError(error, 'schema');
      }
      // Cannot happen with the v1 field limits; kept so encode can never emit what decode refuses.
      if (bytes.length > maxBytes) {
        throw new WireError('oversized', `${name} encodes to ${bytes.length} bytes, limit is ${maxBytes}`);
      }
      return bytes;
    },
    decode(bytes: Uint8Array): T {
      try {
        return codec.decode(decodeCbor(bytes, maxBytes), name);
      } catch (error) {
        throw asWireError(error, 'malformed');
      }
    },
  };
}

/** Last line of defence for the "throws only WireError" contract (e.g. a RangeError from deep inside). */
function asWireError(error: unknown, fallback: 'schema' | 'malformed'): WireError {
  if (error instanceof WireError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new WireError(fallback, `unexpected failure: ${message}`);
}
