import { deviceDownlinkFilter, deviceUplinkTopic, encodeInferenceEventV1 } from '@tinyfleet/wire';
import { connectAsync, ErrorWithReasonCode } from 'mqtt';
import { connect } from 'node:net';
import { provisionByClaim } from '../device-sim/src/mqtt/provision-by-claim';
import { event, provisionRequest } from './support/devices';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout } from './support/wait';

/**
 * What docs/protocol.md §2 promises a device maker about the embedded broker, checked on the wire:
 * the protocol levels it accepts, and exactly what each kind of refusal looks like.
 */
describe('embedded broker: protocol levels and refusals as documented', () => {
  let platform: TestPlatform;
  let device: { deviceId: string; secret: string };
  let port: number;

  beforeAll(async () => {
    platform = await bootTestPlatform('pglite');
    port = Number(new URL(platform.mqttUrl).port);
    const res = await provisionByClaim(
      platform.provisioningUrl,
      await platform.createClaim(),
      provisionRequest('hw-c'),
    );
    if (res.status !== 'registered') throw new Error(`registration failed: ${JSON.stringify(res)}`);
    device = { deviceId: res.deviceId, secret: res.deviceSecret! };
  }, bootTimeout());
  afterAll(async () => {
    await platform?.stop();
  });

  /** Sends raw bytes, returns everything the broker wrote before it closed the connection (or 1 s passed). */
  const raw = (bytes: Buffer) =>
    new Promise<{ reply: string; closed: boolean }>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
      let reply = Buffer.alloc(0);
      const timer = setTimeout(
        () => (socket.destroy(), resolve({ reply: reply.toString('hex'), closed: false })),
        1000,
      );
      socket.on('data', (d) => (reply = Buffer.concat([reply, d])));
      socket.on('close', () => (clearTimeout(timer), resolve({ reply: reply.toString('hex'), closed: true })));
    });
  /** A CONNECT packet at the given protocol level with client id, username and password. */
  const connectPacket = (level: 3 | 4 | 5, clientId: string, username: string, password: string) => {
    const str = (s: string) => [...Buffer.from([0, Buffer.byteLength(s)]), ...Buffer.from(s)];
    const body = Buffer.from([
      ...str(level === 3 ? 'MQIsdp' : 'MQTT'),
      level,
      0xc2, // username, password, clean session
      0x00,
      0x3c, // keep-alive 60 s
      ...(level === 5 ? [0x00] : []), // no properties
      ...str(clientId),
      ...str(username),
      ...str(password),
    ]);
    return Buffer.concat([Buffer.from([0x10, body.length]), body]);
  };

  it('accepts MQTT 3.1 and 3.1.1, and answers MQTT 5 with CONNACK 20 02 00 01 and closes', async () => {
    const { deviceId, secret } = device;
    for (const level of [3, 4] as const) {
      const { reply } = await raw(connectPacket(level, deviceId, deviceId, secret));
      expect(reply).toBe('20020000');
    }
    expect(await raw(connectPacket(5, deviceId, deviceId, secret))).toEqual({ reply: '20020001', closed: true });
  });

  it('refuses CONNECT with return code 4 (bad credentials) or 5 (not authorized), then closes', async () => {
    const { deviceId, secret } = device;
    expect(await raw(connectPacket(4, deviceId, deviceId, 'wrong'))).toEqual({ reply: '20020004', closed: true });
    expect(await raw(connectPacket(4, 'dev-someoneelse', deviceId, secret))).toEqual({
      reply: '20020005',
      closed: true,
    });
  });

  it('answers a refused SUBSCRIBE with SUBACK 0x80 for that filter and keeps the session', async () => {
    const { deviceId, secret } = device;
    const filter = (f: string) => [...Buffer.from([0, Buffer.byteLength(f)]), ...Buffer.from(f), 0x01];
    const body = [0x00, 0x01, ...filter('tinyfleet/v1/d/+/down/+'), ...filter(deviceDownlinkFilter(deviceId))];
    const subscribe = Buffer.from([0x82, body.length, ...body]);
    const { reply, closed } = await raw(Buffer.concat([connectPacket(4, deviceId, deviceId, secret), subscribe]));
    // CONNACK accepted, then SUBACK for packet id 1: 0x80 (refused) for the wildcard, QoS 1 for its own
    // filter, then (its subscription being in place) the device's config as a QoS 1 PUBLISH (0x32).
    expect(reply.slice(0, 20)).toBe('20020000' + '900400018001');
    expect(reply.slice(20, 22)).toBe('32');
    expect(closed).toBe(false);
  });

  it('refuses a PUBLISH to a foreign topic by closing the connection, without PUBACK', async () => {
    const client = await connectAsync(platform.mqttUrl, {
      clientId: device.deviceId,
      username: device.deviceId,
      password: device.secret,
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    let acked = false;
    client.publish(
      deviceUplinkTopic('dev-someoneelse', 'event'),
      Buffer.from(encodeInferenceEventV1(event(1))),
      { qos: 1 },
      (err) => (acked = !err),
    );
    await closed;
    expect(acked).toBe(false);
    await client.endAsync(true);
  });

  it('exposes the refusal codes to MQTT.js as documented', async () => {
    const err = await connectAsync(platform.mqttUrl, {
      protocolVersion: 5,
      clientId: device.deviceId,
      username: device.deviceId,
      password: device.secret,
      reconnectPeriod: 0,
    }).catch((e: ErrorWithReasonCode) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as ErrorWithReasonCode).code).toBe(1);
  });
});
