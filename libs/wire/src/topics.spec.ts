import { WireError } from './errors';
import {
  allDeviceUplinksFilter,
  allTopicsFilter,
  allProvisionRequestsFilter,
  deviceDownlinkFilter,
  deviceDownlinkTopic,
  deviceUplinkTopic,
  DOWNLINK_KINDS,
  isValidClaimId,
  isValidDeviceId,
  isValidSessionId,
  natsSubjectOf,
  parseNatsSubject,
  parseTopic,
  provisionRequestTopic,
  provisionResponseTopic,
  topicMatchesFilter,
  UPLINK_KINDS,
  type DownlinkKind,
  type UplinkKind,
} from './topics';

const DEV = 'dev-0001';
const SESSION = 'prov_AbCdEf0123456789_-xy';
const CLAIM = 'clm-abcdefgh2345';

function expectWireError(fn: () => unknown, reason: WireError['reason']): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WireError);
    expect((error as WireError).reason).toBe(reason);
    return;
  }
  throw new Error('expected a WireError');
}

describe('topics', () => {
  it('builds the documented topic strings', () => {
    expect(deviceUplinkTopic(DEV, 'event')).toBe('tinyfleet/v1/d/dev-0001/up/event');
    expect(deviceUplinkTopic(DEV, 'status')).toBe('tinyfleet/v1/d/dev-0001/up/status');
    expect(deviceUplinkTopic(DEV, 'energy')).toBe('tinyfleet/v1/d/dev-0001/up/energy');
    expect(deviceDownlinkTopic(DEV, 'config')).toBe('tinyfleet/v1/d/dev-0001/down/config');
    expect(deviceUplinkTopic(DEV, 'ota-status')).toBe('tinyfleet/v1/d/dev-0001/up/ota-status');
    expect(deviceUplinkTopic(DEV, 'ota-request')).toBe('tinyfleet/v1/d/dev-0001/up/ota-request');
    expect(deviceUplinkTopic(DEV, 'accuracy')).toBe('tinyfleet/v1/d/dev-0001/up/accuracy');
    expect(deviceDownlinkTopic(DEV, 'ota-offer')).toBe('tinyfleet/v1/d/dev-0001/down/ota-offer');
    expect(deviceDownlinkTopic(DEV, 'ota-chunk')).toBe('tinyfleet/v1/d/dev-0001/down/ota-chunk');
    expect(deviceDownlinkTopic(DEV, 'ota-cancel')).toBe('tinyfleet/v1/d/dev-0001/down/ota-cancel');
    expect(provisionRequestTopic(CLAIM, SESSION)).toBe(`tinyfleet/v1/provision/${CLAIM}/${SESSION}/request`);
    expect(provisionResponseTopic(CLAIM, SESSION)).toBe(`tinyfleet/v1/provision/${CLAIM}/${SESSION}/response`);
    expect(allDeviceUplinksFilter()).toBe('tinyfleet/v1/d/+/up/+');
    expect(deviceDownlinkFilter(DEV)).toBe('tinyfleet/v1/d/dev-0001/down/+');
    expect(allProvisionRequestsFilter()).toBe('tinyfleet/v1/provision/+/+/request');
  });

  it('round trips build -> parse for every kind', () => {
    for (const kind of UPLINK_KINDS) {
      expect(parseTopic(deviceUplinkTopic(DEV, kind))).toEqual({
        scope: 'device',
        direction: 'up',
        deviceId: DEV,
        kind,
      });
    }
    for (const kind of DOWNLINK_KINDS) {
      expect(parseTopic(deviceDownlinkTopic(DEV, kind))).toEqual({
        scope: 'device',
        direction: 'down',
        deviceId: DEV,
        kind,
      });
    }
    expect(parseTopic(provisionRequestTopic(CLAIM, SESSION))).toEqual({
      scope: 'provision',
      direction: 'request',
      claimId: CLAIM,
      sessionId: SESSION,
    });
    expect(parseTopic(provisionResponseTopic(CLAIM, SESSION))).toEqual({
      scope: 'provision',
      direction: 'response',
      claimId: CLAIM,
      sessionId: SESSION,
    });
  });

  it('lists the OTA kinds (append-only)', () => {
    expect(UPLINK_KINDS).toEqual([
      'event',
      'status',
      'energy',
      'ota-status',
      'ota-request',
      'accuracy',
      'summary',
      'capabilities',
      'evidence',
      'evidence-status',
    ]);
    expect(DOWNLINK_KINDS).toEqual(['config', 'ota-offer', 'ota-chunk', 'ota-cancel', 'evidence-request']);
    expect(parseTopic('tinyfleet/v1/d/dev-0001/up/ota-status')).toEqual({
      scope: 'device',
      direction: 'up',
      deviceId: DEV,
      kind: 'ota-status',
    });
    expect(parseTopic('tinyfleet/v1/d/dev-0001/up/ota-request')).toEqual({
      scope: 'device',
      direction: 'up',
      deviceId: DEV,
      kind: 'ota-request',
    });
    expect(parseTopic('tinyfleet/v1/d/dev-0001/down/ota-offer')).toEqual({
      scope: 'device',
      direction: 'down',
      deviceId: DEV,
      kind: 'ota-offer',
    });
    expect(parseTopic('tinyfleet/v1/d/dev-0001/down/ota-chunk')).toEqual({
      scope: 'device',
      direction: 'down',
      deviceId: DEV,
      kind: 'ota-chunk',
    });
    expect(parseTopic('tinyfleet/v1/d/dev-0001/down/ota-cancel')).toEqual({
      scope: 'device',
      direction: 'down',
      deviceId: DEV,
      kind: 'ota-cancel',
    });
    expectWireError(() => deviceUplinkTopic(DEV, 'ota-offer' as UplinkKind), 'unknown-topic');
    expectWireError(() => deviceDownlinkTopic(DEV, 'ota-status' as DownlinkKind), 'unknown-topic');
    expectWireError(() => deviceUplinkTopic(DEV, 'ota-' as UplinkKind), 'unknown-topic');
  });

  it('appends accuracy as an uplink-only kind', () => {
    expect(UPLINK_KINDS.indexOf('accuracy')).toBe(5); // appended after the OTA kinds, nothing reordered
    expect(parseTopic('tinyfleet/v1/d/dev-0001/up/accuracy')).toEqual({
      scope: 'device',
      direction: 'up',
      deviceId: DEV,
      kind: 'accuracy',
    });
    expect(parseTopic('tinyfleet/v1/d/dev-0001/down/accuracy')).toBeNull();
    expect((DOWNLINK_KINDS as readonly string[]).includes('accuracy')).toBe(false);
    expectWireError(() => deviceDownlinkTopic(DEV, 'accuracy' as DownlinkKind), 'unknown-topic');
    expect(topicMatchesFilter(allDeviceUplinksFilter(), deviceUplinkTopic(DEV, 'accuracy'))).toBe(true);
  });

  it('validates ids', () => {
    for (const ok of ['abc', 'dev-0001', '0a-', 'a'.repeat(64), '9-9']) expect(isValidDeviceId(ok)).toBe(true);
    for (const bad of [
      'ab',
      '-abc',
      'Abc',
      'dev_1',
      'dev.1',
      'a'.repeat(65),
      '',
      'dev 1',
      'dev+',
      'dev#',
      'dév',
      'abc\n',
      42,
      null,
    ]) {
      expect(isValidDeviceId(bad)).toBe(false);
    }
    for (const ok of ['prov_' + 'a'.repeat(16), SESSION, 'prov_' + 'Z'.repeat(59), 'prov_________________'])
      expect(isValidSessionId(ok)).toBe(true);
    for (const bad of [
      'prov_' + 'a'.repeat(15),
      'prov_' + 'a'.repeat(60),
      'a'.repeat(21), // no prefix: could be a device id
      'dev-abcdefghijkl',
      'PROV_abcdefghijklmnop',
      'prov_abcdefghijklmno+',
      'prov_abcdefghijklmnop/',
      'prov_abcdefghijklmno.p',
      '',
      undefined,
    ]) {
      expect(isValidSessionId(bad)).toBe(false);
    }
    expect(isValidClaimId(CLAIM)).toBe(true);
    for (const bad of ['CLM-1', 'c', 'clm/x', 'clm+', '']) expect(isValidClaimId(bad)).toBe(false);
  });

  it('keeps session ids and device or claim ids disjoint: no string is both', () => {
    for (const id of [DEV, CLAIM, 'dev-abcdefghijkl', 'a'.repeat(64)]) expect(isValidSessionId(id)).toBe(false);
    for (const id of [SESSION, 'prov_' + 'a'.repeat(59)]) {
      expect(isValidDeviceId(id)).toBe(false);
      expect(isValidClaimId(id)).toBe(false);
    }
  });

  it('throws WireError(schema) when building with a bad id, unknown-topic for a bad kind', () => {
    expectWireError(() => deviceUplinkTopic('+', 'event'), 'schema');
    expectWireError(() => deviceUplinkTopic('Dev-1', 'event'), 'schema');
    expectWireError(() => deviceDownlinkTopic('a/b/c', 'config'), 'schema');
    expectWireError(() => deviceDownlinkFilter('#'), 'schema');
    expectWireError(() => provisionRequestTopic(CLAIM, 'short'), 'schema');
    expectWireError(() => provisionResponseTopic(CLAIM, 'x'.repeat(15) + '+'), 'schema');
    expectWireError(() => provisionRequestTopic('+', SESSION), 'schema');
    expectWireError(() => provisionResponseTopic('clm/x', SESSION), 'schema');
    expectWireError(() => deviceUplinkTopic(DEV, 'ota' as UplinkKind), 'unknown-topic');
    expectWireError(() => deviceDownlinkTopic(DEV, 'event' as unknown as DownlinkKind), 'unknown-topic');
  });

  it.each([
    'tinyfleet/v1/d/+/up/event',
    'tinyfleet/v1/d/dev-0001/up/+',
    'tinyfleet/v1/d/dev-0001/up/#',
    'tinyfleet/v1/d/#',
    '#',
    '+',
    'tinyfleet/v1/d/a/b/up/event',
    'tinyfleet/v1/d/dev-0001/up/event/extra',
    'tinyfleet/v1/d/DEV-0001/up/event',
    'tinyfleet/v1/d/dev-0001/up/EVENT',
    'tinyfleet/v1/d/dev-0001/up/config',
    'tinyfleet/v1/d/dev-0001/down/event',
    'tinyfleet/v1/d/dev-0001/sideways/event',
    'tinyfleet/v1/d/dev-0001/up/ota',
    'tinyfleet/v1/d/dev-0001/up/ota-',
    'tinyfleet/v1/d/dev-0001/up/ota-statu',
    'tinyfleet/v1/d/dev-0001/up/ota-status-',
    'tinyfleet/v1/d/dev-0001/up/ota-status/x',
    'tinyfleet/v1/d/dev-0001/up/OTA-STATUS',
    'tinyfleet/v1/d/dev-0001/up/ota_status',
    'tinyfleet/v1/d/dev-0001/up/ota-update',
    'tinyfleet/v1/d/dev-0001/up/ota-offer',
    'tinyfleet/v1/d/dev-0001/up/ota-chunk',
    'tinyfleet/v1/d/dev-0001/down/ota-status',
    'tinyfleet/v1/d/dev-0001/down/ota-request',
    'tinyfleet/v1/d/dev-0001/down/ota',
    'tinyfleet/v1/d/dev-0001/down/ota-+',
    'tinyfleet/v1/d/+/down/ota-offer',
    'tinyfleet/v1/d/dev-0001/down/accuracy',
    'tinyfleet/v1/d/dev-0001/up/accuracy/x',
    'tinyfleet/v1/d/dev-0001/up/accuracies',
    'tinyfleet/v1/d/dev-0001/up/ACCURACY',
    'tinyfleet/v1/d/+/up/accuracy',
    'tinyfleet/v1/d/dev-0001/up/event/',
    'tinyfleet/v1/d/dev-0001/up/',
    'tinyfleet/v1/d//up/event',
    '/tinyfleet/v1/d/dev-0001/up/event',
    'tinyfleet//v1/d/dev-0001/up/event',
    'tinyfleet/v2/d/dev-0001/up/event',
    'TINYFLEET/v1/d/dev-0001/up/event',
    'tinyfleet/v1',
    'tinyfleet/v1/',
    '$SYS/x',
    '$SYS/broker/clients',
    '$share/g/tinyfleet/v1/d/+/up/+',
    'tinyfleet/v1/d/dev-0001\u0000/up/event',
    'tinyfleet/v1/provision/+/+/request',
    `tinyfleet/v1/provision/${CLAIM}/+/request`,
    `tinyfleet/v1/provision/+/${SESSION}/request`,
    `tinyfleet/v1/provision/${CLAIM}/short/request`,
    `tinyfleet/v1/provision/CLM-X/${SESSION}/request`,
    `tinyfleet/v1/provision/${SESSION}/request`,
    `tinyfleet/v1/provision/${CLAIM}/${SESSION}/reply`,
    `tinyfleet/v1/provision/${CLAIM}/${SESSION}/request/`,
    `tinyfleet/v1/provision/${CLAIM}/${SESSION}`,
    `tinyfleet/v1/provision/${CLAIM}/x/${SESSION}/request`,
    '',
  ])('parseTopic rejects %j', (topic) => {
    expect(parseTopic(topic)).toBeNull();
  });

  it('parseTopic tolerates non-string input from untyped callers', () => {
    expect(parseTopic(undefined as unknown as string)).toBeNull();
    expect(parseTopic(42 as unknown as string)).toBeNull();
  });

  describe('topicMatchesFilter (MQTT semantics)', () => {
    it.each([
      ['tinyfleet/v1/d/+/up/+', 'tinyfleet/v1/d/dev-0001/up/event', true],
      ['tinyfleet/v1/d/+/up/+', 'tinyfleet/v1/d/dev-0001/up/event/x', false],
      ['tinyfleet/v1/d/+/up/+', 'tinyfleet/v1/d/dev-0001/down/config', false],
      ['tinyfleet/v1/d/+/up/+', 'tinyfleet/v1/d//up/', true], // '+' matches an empty level per spec
      ['tinyfleet/#', 'tinyfleet/v1/d/a/up/event', true],
      ['tinyfleet/#', 'tinyfleet', true], // '#' includes the parent level
      ['#', 'tinyfleet/v1', true],
      ['#', '$SYS/broker', false], // wildcard-first filters never match $ topics
      ['+/broker', '$SYS/broker', false],
      ['$SYS/#', '$SYS/broker', true],
      ['a/b', 'a/b', true],
      ['a/b', 'a/b/', false],
      ['a/+', 'a', false],
      ['a/#/b', 'a/x/b', false], // malformed filter
      ['a/b#', 'a/b#', false], // malformed filter
      ['a/+x', 'a/+x', false], // malformed filter / wildcard in topic
      ['a/+', 'a/+', false], // topic names cannot contain wildcards
      ['', 'a', false],
      ['a', '', false],
    ])('%j vs %j -> %s', (filter, topic, expected) => {
      expect(topicMatchesFilter(filter, topic)).toBe(expected);
    });
  });
});

describe('NATS subjects (nats-server MQTT listener)', () => {
  it('maps topics and filters level by level, and back', () => {
    const topic = deviceUplinkTopic('dev-abc', 'event');
    expect(natsSubjectOf(topic)).toBe('tinyfleet.v1.d.dev-abc.up.event');
    expect(natsSubjectOf(allDeviceUplinksFilter())).toBe('tinyfleet.v1.d.*.up.*');
    expect(natsSubjectOf(allTopicsFilter())).toBe('tinyfleet.v1.>');
    expect(parseNatsSubject(natsSubjectOf(topic))).toEqual(parseTopic(topic));
  });

  it('refuses subjects that are no v1 topic', () => {
    for (const s of [
      'tinyfleet.v1.d.*.up.event',
      'tinyfleet.v1.d.dev-abc.up',
      'tinyfleet/v1/d/dev-abc/up/event',
      '',
      'x.y',
    ])
      expect(parseNatsSubject(s)).toBeNull();
  });
});
