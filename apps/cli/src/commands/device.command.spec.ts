import { DeviceDetail, formatDeviceDetail } from './device.command';

const detail = (over: Partial<DeviceDetail> = {}): DeviceDetail => ({
  id: 'dev-1',
  hardwareId: 'hw-1',
  lifecycle: 'ACTIVE',
  allowedActions: ['suspend', 'decommission'],
  mcuProfile: 'atmega328p',
  radioProfile: 'lorawan-sf7',
  sensorStream: 'soil',
  connectivity: 'ONLINE',
  firmwareVersion: 'sim-1.0.0',
  interpreterVersion: '0.3.0',
  lastSeenAt: '2026-12-02T10:00:00.000Z',
  lastStatus: { activeSlot: 1, slots: [null, { modelId: 'soil-dryout', modelVersion: '1.2.0' }] },
  capabilities: null,
  ...over,
});

describe('tinyfleet device show', () => {
  it('prints the op set the firmware reported, one op a line with its types', () => {
    const out = formatDeviceDetail(
      detail({
        capabilities: {
          opSetId: 'ops-0123456789ab',
          ops: [
            { op: 'FULLY_CONNECTED', types: ['int8'] },
            { op: 'RESHAPE', types: null },
          ],
          unknownOpCodes: [40],
          reportedAt: '2026-12-02T09:59:00.000Z',
        },
      }),
    );
    expect(out.split('\n')).toEqual([
      'device dev-1 (hw-1): ACTIVE, ONLINE, last seen 2026-12-02T10:00:00.000Z',
      '  hardware:    atmega328p / lorawan-sf7, stream soil',
      '  firmware:    sim-1.0.0, interpreter 0.3.0',
      '  model:       soil-dryout@1.2.0',
      '  op set:      ops-0123456789ab, 2 ops, reported 2026-12-02T09:59:00.000Z',
      `    ${'FULLY_CONNECTED'.padEnd(44)} int8`,
      `    ${'RESHAPE'.padEnd(44)} any type`,
      '    op codes newer than this platform: 40',
      '',
    ]);
  });

  it('says when the device never reported an op set or a status', () => {
    const out = formatDeviceDetail(detail({ lastStatus: null }));
    expect(out).toContain("op set:      not reported (rollouts check the platform's op list only)");
    expect(out).toContain('model:       unknown (no status yet)');
  });
});
