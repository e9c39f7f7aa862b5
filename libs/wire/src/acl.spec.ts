import { mayPublish, maySubscribe, mosquittoAclFile, principalFor, type Principal } from './acl';
import {
  deviceDownlinkFilter,
  deviceDownlinkTopic,
  deviceUplinkTopic,
  DOWNLINK_KINDS,
  provisionRequestTopic,
  provisionResponseTopic,
  topicMatchesFilter,
  UPLINK_KINDS,
} from './topics';

const DEV = 'dev-0001';
const SESSION = 'prov_AbCdEf0123456789_-xy';
const CLAIM = 'clm-abcdefgh2345';
const device: Principal = { kind: 'device', deviceId: DEV };
const claim: Principal = { kind: 'claim', claimId: CLAIM, sessionId: SESSION };

describe('broker ACL', () => {
  describe('client-id ownership at CONNECT', () => {
    it('gives a device credential only its own id', () => {
      expect(principalFor({ kind: 'device', deviceId: DEV }, DEV)).toEqual(device);
      for (const other of ['dev-0002', SESSION, CLAIM, '', 'DEV-0001'])
        expect(principalFor({ kind: 'device', deviceId: DEV }, other)).toBeNull();
    });

    it('gives a claim credential session ids only, never a device or claim id', () => {
      expect(principalFor({ kind: 'claim', claimId: CLAIM }, SESSION)).toEqual(claim);
      // 16-char device ids once matched the session-id rule: a claim holder could take over a device.
      for (const other of [DEV, 'dev-abcdefghijkl', CLAIM, 'a'.repeat(24), ''])
        expect(principalFor({ kind: 'claim', claimId: CLAIM }, other)).toBeNull();
      expect(principalFor({ kind: 'claim', claimId: 'CLM+' }, SESSION)).toBeNull();
    });
  });

  describe('subscription (exact match, deny by default)', () => {
    it('allows a device its own downlink filter and exact downlink topics only', () => {
      expect(maySubscribe(device, 'tinyfleet/v1/d/dev-0001/down/+')).toBe(true);
      expect(maySubscribe(device, 'tinyfleet/v1/d/dev-0001/down/config')).toBe(true);
      expect(maySubscribe(device, 'tinyfleet/v1/d/dev-0001/down/ota-offer')).toBe(true);
      expect(maySubscribe(device, 'tinyfleet/v1/d/dev-0001/down/ota-chunk')).toBe(true);
      expect(maySubscribe(device, 'tinyfleet/v1/d/dev-0001/down/ota-cancel')).toBe(true);
      for (const kind of DOWNLINK_KINDS) expect(maySubscribe(device, deviceDownlinkTopic(DEV, kind))).toBe(true);
    });

    it("a device's own down/+ filter covers every downlink kind, including OTA, and nobody else's", () => {
      const filter = deviceDownlinkFilter(DEV);
      for (const kind of DOWNLINK_KINDS) {
        expect(topicMatchesFilter(filter, deviceDownlinkTopic(DEV, kind))).toBe(true);
        expect(topicMatchesFilter(filter, deviceDownlinkTopic('dev-0002', kind))).toBe(false);
      }
      for (const kind of UPLINK_KINDS) expect(topicMatchesFilter(filter, deviceUplinkTopic(DEV, kind))).toBe(false);
    });

    it.each([
      'tinyfleet/v1/d/dev-0002/down/+',
      'tinyfleet/v1/d/dev-0002/down/config',
      'tinyfleet/v1/d/+/down/+',
      'tinyfleet/v1/d/+/down/config',
      'tinyfleet/v1/d/dev-0001/down/#',
      'tinyfleet/v1/d/dev-0001/#',
      'tinyfleet/v1/d/dev-0001/+/config',
      'tinyfleet/v1/d/dev-0001/up/+',
      'tinyfleet/v1/d/dev-0001/up/event',
      'tinyfleet/v1/d/dev-0001/down/ota',
      'tinyfleet/v1/d/dev-0001/down/ota-status',
      'tinyfleet/v1/d/dev-0001/down/ota-request',
      'tinyfleet/v1/d/dev-0001/up/ota-status',
      'tinyfleet/v1/d/dev-0001/up/accuracy',
      'tinyfleet/v1/d/dev-0001/down/accuracy',
      'tinyfleet/v1/d/dev-0002/down/ota-offer',
      'tinyfleet/v1/d/dev-0002/down/ota-chunk',
      'tinyfleet/v1/d/+/down/ota-chunk',
      'tinyfleet/v1/d/dev-0001/down/ota-#',
      'tinyfleet/v1/d/dev-0001/down/config/',
      'tinyfleet/v1/#',
      '#',
      '+/+/+/+/+/+',
      '$SYS/#',
      '$share/x/tinyfleet/v1/d/dev-0001/down/+',
      `tinyfleet/v1/provision/${CLAIM}/${SESSION}/response`,
      '',
    ])('denies device subscription %j', (filter) => {
      expect(maySubscribe(device, filter)).toBe(false);
    });

    it('denies everything for an invalid device id (even the "own" filter)', () => {
      expect(maySubscribe({ kind: 'device', deviceId: '+' }, 'tinyfleet/v1/d/+/down/+')).toBe(false);
      expect(maySubscribe({ kind: 'device', deviceId: '#' }, 'tinyfleet/v1/d/#/down/+')).toBe(false);
    });

    it('allows a claim session only its own response topic', () => {
      expect(maySubscribe(claim, provisionResponseTopic(CLAIM, SESSION))).toBe(true);
      for (const filter of [
        'tinyfleet/v1/provision/+/+/response',
        `tinyfleet/v1/provision/${CLAIM}/+/response`,
        `tinyfleet/v1/provision/+/${SESSION}/response`,
        'tinyfleet/v1/provision/#',
        `tinyfleet/v1/provision/${CLAIM}/#`,
        `tinyfleet/v1/provision/${CLAIM}/${SESSION}/+`,
        `tinyfleet/v1/provision/${CLAIM}/${SESSION}/request`,
        `tinyfleet/v1/provision/${CLAIM}/${'prov_' + 'b'.repeat(16)}/response`,
        `tinyfleet/v1/provision/clm-other0000000/${SESSION}/response`,
        `tinyfleet/v1/provision/${SESSION}/response`,
        'tinyfleet/v1/d/dev-0001/down/+',
        '#',
        '$SYS/#',
      ]) {
        expect(maySubscribe(claim, filter)).toBe(false);
      }
      const wildSession = `prov_${'+'.repeat(16)}`;
      expect(
        maySubscribe(
          { kind: 'claim', claimId: CLAIM, sessionId: wildSession },
          `tinyfleet/v1/provision/${CLAIM}/${wildSession}/response`,
        ),
      ).toBe(false);
      expect(
        maySubscribe(
          { kind: 'claim', claimId: '+', sessionId: SESSION },
          `tinyfleet/v1/provision/+/${SESSION}/response`,
        ),
      ).toBe(false);
    });
  });

  describe('publish', () => {
    it('lets a device publish only its own up/* topics', () => {
      for (const kind of UPLINK_KINDS) expect(mayPublish(device, deviceUplinkTopic(DEV, kind))).not.toBeNull();
      expect(mayPublish(device, deviceUplinkTopic('dev-0002', 'event'))).toBeNull();
      expect(mayPublish(device, deviceDownlinkTopic(DEV, 'config'))).toBeNull();
      expect(mayPublish(device, 'tinyfleet/v1/d/dev-0001/up/ota')).toBeNull();
      expect(mayPublish(device, 'tinyfleet/v1/d/dev-0001/up/ota-status')).not.toBeNull();
      expect(mayPublish(device, 'tinyfleet/v1/d/dev-0001/up/ota-request')).not.toBeNull();
      expect(mayPublish(device, deviceUplinkTopic('dev-0002', 'ota-status'))).toBeNull();
      expect(mayPublish(device, deviceUplinkTopic('dev-0002', 'ota-request'))).toBeNull();
      expect(mayPublish(device, 'tinyfleet/v1/d/dev-0001/up/accuracy')).not.toBeNull();
      expect(mayPublish(device, deviceUplinkTopic('dev-0002', 'accuracy'))).toBeNull();
      expect(mayPublish(device, 'tinyfleet/v1/d/dev-0001/down/accuracy')).toBeNull();
      for (const kind of ['ota-offer', 'ota-chunk', 'ota-cancel'] as const) {
        expect(mayPublish(device, deviceDownlinkTopic(DEV, kind))).toBeNull(); // no spoofed platform messages
        expect(mayPublish(device, `tinyfleet/v1/d/dev-0001/up/${kind}`)).toBeNull();
      }
      expect(mayPublish(device, 'tinyfleet/v1/d/dev-0001/up/ota-+')).toBeNull();
      expect(mayPublish(device, provisionRequestTopic(CLAIM, SESSION))).toBeNull();
      expect(mayPublish(device, '$SYS/x')).toBeNull();
    });

    it('lets a claim session publish only its own request topic', () => {
      expect(mayPublish(claim, provisionRequestTopic(CLAIM, SESSION))).not.toBeNull();
      expect(mayPublish(claim, provisionResponseTopic(CLAIM, SESSION))).toBeNull();
      expect(mayPublish(claim, provisionRequestTopic(CLAIM, 'prov_' + 'c'.repeat(16)))).toBeNull();
      expect(mayPublish(claim, provisionRequestTopic('clm-other0000000', SESSION))).toBeNull();
      expect(mayPublish(claim, deviceUplinkTopic(DEV, 'event'))).toBeNull();
    });
  });

  it('writes the same device rules as a Mosquitto acl_file, topic strings from topics.ts', () => {
    const file = mosquittoAclFile('tinyfleet-platform');
    expect(file).toContain('user tinyfleet-platform\ntopic readwrite tinyfleet/v1/#\n');
    expect(file).toContain('pattern write tinyfleet/v1/d/%u/up/+\npattern read tinyfleet/v1/d/%u/down/+\n');
    expect(file).not.toContain('provision'); // claims provision at the platform's endpoint, not through Mosquitto
    expect(mosquittoAclFile(undefined)).not.toMatch(/^user /m);
  });
});
