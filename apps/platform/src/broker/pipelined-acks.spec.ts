import type { Aedes } from 'aedes';
import { connectAsync, IPublishPacket, MqttClient } from 'mqtt';
import { AddressInfo, createServer, Server } from 'node:net';
import { waitUntil } from '../../../../test/support/wait';
import { pipelinedAcks } from './pipelined-acks';

/**
 * pipelinedAcks on a real MQTT.js client against a real broker (aedes on a loopback port), which
 * reports every PUBACK it receives. The store is the test's: each message's promise is settled by
 * the test, so the order of commits is chosen here and the acknowledgements can be checked against it.
 */
describe('pipelinedAcks', () => {
  let broker: Aedes;
  let server: Server;
  let url: string;
  let consumer: MqttClient | undefined;
  let publisher: MqttClient;
  let acked: string[];
  let stored: string[];
  let settle: Map<string, { resolve: () => void; reject: (err: Error) => void }>;
  let topicPrefix = 0;
  let topic: string;

  beforeAll(async () => {
    const { Aedes } = await import('aedes');
    broker = await Aedes.createBroker();
    broker.on('ack', (packet) => {
      if (packet && 'payload' in packet && packet.topic.startsWith('t/')) acked.push(String(packet.payload));
    });
    server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    publisher = await connectAsync(url, { clientId: 'publisher', reconnectPeriod: 0 });
  });

  afterAll(async () => {
    await publisher.endAsync();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    acked = [];
    stored = [];
    settle = new Map();
    topic = `t/${++topicPrefix}`;
  });

  afterEach(async () => {
    await consumer?.endAsync(true);
    consumer = undefined;
  });

  const consume = async (window: number, onStoreFailed: (p: IPublishPacket) => void = () => undefined) => {
    consumer = await connectAsync(url, { clientId: `consumer-${topic}`, clean: false, reconnectPeriod: 50 });
    pipelinedAcks(consumer, {
      window,
      store: (packet) =>
        new Promise<void>((resolve, reject) => {
          const body = String(packet.payload);
          stored.push(body);
          settle.set(body, { resolve, reject });
        }),
      onStoreFailed: onStoreFailed,
    });
    await consumer.subscribeAsync(topic, { qos: 1 });
  };
  const publish = (n: number) =>
    Promise.all(Array.from({ length: n }, (_, i) => publisher.publishAsync(topic, `m${i}`, { qos: 1 })));
  const names = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);
  /** The consumer's own QoS 1 round trip: the broker has read everything the consumer sent before it. */
  const roundTrip = () => consumer!.publishAsync('other', 'x', { qos: 1 });

  it('stores many messages at once and acknowledges each only after it and all before it are stored', async () => {
    await consume(100);
    await publish(30);
    await waitUntil(
      () => stored.length,
      (n) => n === 30,
    );
    await roundTrip();
    expect(acked).toEqual([]); // 30 messages in flight on one session, none acknowledged before its commit
    // Commits finish newest first: nothing may be acknowledged until the oldest is stored.
    for (const m of names(30).slice(1).reverse()) settle.get(m)!.resolve();
    await roundTrip();
    expect(acked).toEqual([]);
    settle.get('m0')!.resolve();
    await waitUntil(
      () => acked.length,
      (n) => n === 30,
    );
    expect(acked).toEqual(names(30));
  });

  it('stops reading when the window is full and goes on as the oldest is acknowledged', async () => {
    await consume(5);
    await publish(20);
    // Every PUBLISH has reached the consumer's socket (CONNACK 4 bytes, SUBACK 5, then each PUBLISH:
    // header 2 + topic length 2 + topic + packet id 2 + payload): it has them, but must not handle more.
    // (No round trip here: with its window full the consumer reads no PUBACK either.)
    const bytes = 4 + 5 + names(20).reduce((sum, m) => sum + 2 + 2 + topic.length + 2 + m.length, 0);
    await waitUntil(
      () => (consumer!.stream as unknown as { bytesRead: number }).bytesRead,
      (n) => n >= bytes,
    );
    await waitUntil(
      () => stored.length,
      (n) => n === 5,
    );
    expect(stored).toEqual(names(5));
    settle.get('m0')!.resolve();
    await waitUntil(
      () => stored.length,
      (n) => n === 6,
    );
    expect(acked).toEqual(['m0']);
    for (let i = 1; i < 20; i++) {
      await waitUntil(() => settle.has(`m${i}`));
      settle.get(`m${i}`)!.resolve();
    }
    await waitUntil(
      () => acked.length,
      (n) => n === 20,
    );
    expect(acked).toEqual(names(20));
  });

  it('drops the connection when a store fails; the broker re-sends it and every later one not acknowledged', async () => {
    const failures: string[] = [];
    await consume(10, (p) => failures.push(String(p.payload)));
    await publish(5);
    await waitUntil(
      () => stored.length,
      (n) => n === 5,
    );
    settle.get('m0')!.resolve();
    settle.get('m1')!.resolve();
    settle.get('m3')!.resolve(); // stored, but behind m2: never acknowledged on this connection
    settle.get('m2')!.reject(new Error('database down'));
    settle.get('m4')!.resolve();
    // Redelivered on the new connection (persistent session): m2, m3, m4 reach the store again.
    await waitUntil(
      () => stored.length,
      (n) => n === 8,
    );
    expect(failures).toEqual(['m2']);
    expect(stored.slice(5).sort()).toEqual(['m2', 'm3', 'm4']);
    for (const m of ['m2', 'm3', 'm4']) settle.get(m)!.resolve();
    await waitUntil(
      () => acked.length,
      (n) => n === 5,
    );
    expect(acked).toEqual(names(5));
  });
});
