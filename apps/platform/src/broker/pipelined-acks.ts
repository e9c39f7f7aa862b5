import type { IPublishPacket, MqttClient } from 'mqtt';

export interface PipelinedAcksOptions {
  /**
   * Messages of one connection being stored at once. When that many wait, MQTT.js reads nothing
   * more on the connection until the oldest is acknowledged (backpressure). The broker's own window
   * (Mosquitto's `max_inflight_messages`, default 20) may be smaller and then is the limit.
   */
  window: number;
  /** Resolves once the message is durably stored; rejects when it was not. */
  store(packet: IPublishPacket): Promise<void>;
  /** Called once per connection, for the first message that could not be stored (the connection is then dropped). */
  onStoreFailed(packet: IPublishPacket, err: unknown): void;
}

/** One broker connection's messages, oldest first, until each is acknowledged. */
interface ConnectionState {
  stream: MqttClient['stream'];
  pending: Array<{ messageId: number | undefined; stored: boolean }>;
  /** The MQTT.js callback that lets it read the next packet, held while the window is full. */
  resume?: () => void;
  failed: boolean;
}

/**
 * Handed to MQTT.js instead of calling back plainly: with an error, MQTT.js 5.x sends no PUBACK and
 * goes on to the next packet (src/lib/handlers/publish.ts, QoS 1: `if (err) return done(err)`; done
 * only schedules the next packet). pipelined-acks.spec.ts fails if a release changes that.
 */
const PUBACK_SENT_BY_US = new Error('PUBACK is sent by pipelinedAcks once the message is stored');

/**
 * PUBACK (MQTT 3.1.1 §3.4): fixed header 0x40, remaining length 2, packet identifier MSB, LSB. In
 * MQTT 5 the same four bytes mean reason code 0x00, success (§3.4.2.1).
 */
function pubackBytes(messageId: number): Buffer {
  return Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]);
}

/**
 * Consumes QoS 0/1 messages on `client` many at a time and acknowledges each only after it is
 * stored, in the order received (MQTT 3.1.1 §4.6, [MQTT-4.6.0-2]). MQTT.js alone hands one message
 * per connection at a time and sends its PUBACK when `handleMessage` calls back, so a consumer that
 * acknowledges after the database commit had one message in flight per session, each waiting a whole
 * group-commit round. Here up to `window` messages are being stored at once (the group commit
 * batches them) and each PUBACK is written once it and every earlier message are stored.
 *
 * A PUBACK goes only to the connection its PUBLISH came on: after a reconnect the broker re-sends
 * what was not acknowledged (persistent session) and packet identifiers start over, so a late store
 * of the old connection's message acknowledges nothing. A store that fails drops the connection; the
 * broker re-sends that message and every later one not yet acknowledged. Subscriptions must be at
 * most QoS 1 (a QoS 2 delivery needs MQTT.js's own PUBREC/PUBREL flow).
 */
export function pipelinedAcks(client: MqttClient, opts: PipelinedAcksOptions): void {
  let current: ConnectionState | undefined;

  const advance = (conn: ConnectionState): void => {
    while (conn.pending[0]?.stored) {
      const { messageId } = conn.pending.shift()!;
      if (messageId !== undefined && !conn.failed && conn.stream.writable) conn.stream.write(pubackBytes(messageId));
    }
    if (conn.resume && (conn.failed || conn.pending.length < opts.window)) {
      const resume = conn.resume;
      conn.resume = undefined;
      resume();
    }
  };

  client.handleMessage = (packet, callback) => {
    const publish = packet as IPublishPacket;
    if (current?.stream !== client.stream) current = { stream: client.stream, pending: [], failed: false };
    const conn = current;
    const entry = { messageId: publish.qos === 1 ? publish.messageId : undefined, stored: false };
    conn.pending.push(entry);
    opts.store(publish).then(
      () => {
        entry.stored = true;
        advance(conn);
      },
      (err: unknown) => {
        if (!conn.failed) {
          conn.failed = true;
          opts.onStoreFailed(publish, err);
          conn.stream.destroy();
        }
        advance(conn);
      },
    );
    const next = () => callback(publish.qos === 1 ? PUBACK_SENT_BY_US : undefined);
    if (conn.pending.length < opts.window) next();
    else conn.resume = next;
  };
}
