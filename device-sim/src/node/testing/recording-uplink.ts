import type { DownlinkKind, UplinkKind } from '@tinyfleet/wire';
import type { NodeUplink } from '../node-ports';

/**
 * The node's MQTT session for specs: records every publish, acknowledges it at once while
 * `connected` and fails it while not. A spec that needs PUBACKs held back replaces `publish`.
 */
export class RecordingUplink implements NodeUplink {
  connected = false;
  generation = 0;
  sent: { kind: UplinkKind; payload: Uint8Array }[] = [];

  topicBytes(kind: UplinkKind): number {
    return `tinyfleet/v1/d/dev-abcdefghijkl/up/${kind}`.length;
  }

  downlinkTopicBytes(kind: DownlinkKind): number {
    return `tinyfleet/v1/d/dev-abcdefghijkl/down/${kind}`.length;
  }

  publish(kind: UplinkKind, payload: Uint8Array): Promise<unknown> {
    this.sent.push({ kind, payload });
    return this.connected ? Promise.resolve() : Promise.reject(new Error('down'));
  }

  /** Payloads published on up/{kind}, oldest first. */
  of(kind: UplinkKind): Uint8Array[] {
    return this.sent.filter((s) => s.kind === kind).map((s) => s.payload);
  }
}
