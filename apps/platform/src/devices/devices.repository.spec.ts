import { DataSource } from 'typeorm';
import { createTestDatabase, DatabaseKind, TestDatabase } from '../../../../test/support/test-database';
import { StaleTransitionError } from '../common/state-machine';
import { DeviceModelSlots1795900700000 } from '../../../../migrations/1795900700000-device-model-slots';
import { ENTITIES, MIGRATIONS } from '../database/entities';
import { DevicesRepository, ModelSlot, StatusRecord } from './devices.repository';

const dataSource = (url: string, migrations: unknown[]) =>
  new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: migrations as never,
    migrationsTransactionMode: 'all',
    logging: false,
  });

const slot = (version: string, byte: number, sizeBytes = 1000): ModelSlot => ({
  modelId: 'soil',
  modelVersion: version,
  sha256: byte.toString(16).padStart(2, '0').repeat(32),
  tag: byte * 0x01010101,
  sizeBytes,
});

const statusRecord = (deviceTimeMs: number, active: ModelSlot | null, inactive: ModelSlot | null): StatusRecord => ({
  status: { timestampMs: deviceTimeMs, activeSlot: 0, slots: [active, inactive] },
  deviceTimeMs,
  firmwareVersion: '1.0.0',
  interpreterVersion: '0.1.0',
  active,
  inactive,
});

/** The devices table on a real database of each kind the platform runs on, the slot back-fill included. */
describe.each<DatabaseKind>(['postgres', 'pglite'])('DevicesRepository on %s', (kind) => {
  let db: TestDatabase;
  let ds: DataSource;
  let devices: DevicesRepository;
  const insert = (id: string, lifecycle = 'ACTIVE', lastStatus: unknown = null) =>
    ds.query(
      `INSERT INTO devices (id, hardware_id, mcu_profile, radio_profile, sensor_stream, firmware_version, interpreter_version, lifecycle, connectivity, secret_hash, broker_hash, last_status)
       VALUES ($1, 'hw-' || $1, 'nrf52840', 'nrf52840-ble-1m', 'soil', '1.0.0', '0.1.0', $2, 'OFFLINE', 'x', 'y', $3::jsonb)`,
      [id, lifecycle, lastStatus === null ? null : JSON.stringify(lastStatus)],
    );

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    // Up to the migration before the slot columns, with a heartbeat stored the old way only.
    const before = dataSource(db.url, MIGRATIONS.slice(0, MIGRATIONS.indexOf(DeviceModelSlots1795900700000)));
    await before.initialize();
    await before.runMigrations();
    await before.query(
      `INSERT INTO devices (id, hardware_id, mcu_profile, radio_profile, sensor_stream, firmware_version, interpreter_version, lifecycle, connectivity, secret_hash, broker_hash, last_status)
       VALUES ('old-1', 'hw-old-1', 'nrf52840', 'nrf52840-ble-1m', 'soil', '1.0.0', '0.1.0', 'ACTIVE', 'OFFLINE', 'x', 'y', $1::jsonb),
              ('old-2', 'hw-old-2', 'nrf52840', 'nrf52840-ble-1m', 'soil', '1.0.0', '0.1.0', 'ACTIVE', 'OFFLINE', 'x', 'y', NULL)`,
      [
        JSON.stringify({
          timestampMs: 1_790_000_000_000,
          activeSlot: 1,
          slots: [slot('1.0.0', 0xaa), slot('2.0.0', 0xbb)],
        }),
      ],
    );
    await before.destroy();
    ds = dataSource(db.url, MIGRATIONS);
    await ds.initialize();
    await ds.runMigrations();
    devices = new DevicesRepository(ds.manager);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.dispose();
  });

  it('back-fills the slot columns from the heartbeats stored before them', async () => {
    const old = await devices.findById('old-1');
    expect(old).toMatchObject({
      statusDeviceMs: '1790000000000',
      activeModelVersion: '2.0.0',
      activeModelSha256: 'bb'.repeat(32),
      activeModelTag: String(0xbb * 0x01010101),
      activeModelBytes: '1000',
      inactiveModelVersion: '1.0.0',
      inactiveModelSha256: 'aa'.repeat(32),
    });
    expect(await devices.findById('old-2')).toMatchObject({ activeModelId: null, inactiveModelId: null });
    expect((await devices.modelFacts({ activeModelId: 'soil', activeModelVersion: '2.0.0' })).map((d) => d.id)).toEqual(
      ['old-1'],
    );
  });

  it('records a heartbeat’s slots as columns, and an older heartbeat does not overwrite a newer one', async () => {
    await insert('hb-1');
    await devices.recordStatus('hb-1', statusRecord(2_000, slot('3.0.0', 0x11, 0xffffffff), null));
    await devices.recordStatus('hb-1', statusRecord(1_000, slot('1.0.0', 0x22), null)); // re-delivered late
    expect(await devices.findById('hb-1')).toMatchObject({
      activeModelVersion: '3.0.0',
      activeModelBytes: String(0xffffffff), // any uint32 the wire admits
      inactiveModelId: null,
      firmwareVersion: '1.0.0',
    });
    expect((await devices.activeModelTags(['hb-1', 'nobody'])).get('hb-1')).toBe(0x11 * 0x01010101);
    expect((await devices.modelFacts({ deviceIds: ['hb-1'] }))[0]).toMatchObject({
      activeModelSha256: '11'.repeat(32),
      activeModelBytes: 0xffffffff,
    });
  });

  it('moves the lifecycle only from the state it was read in, and leaves others out of the broker export', async () => {
    await insert('lc-1', 'ACTIVE');
    await insert('lc-2', 'ACTIVE');
    await devices.transitionLifecycle('lc-1', 'ACTIVE', 'SUSPENDED');
    await expect(devices.transitionLifecycle('lc-1', 'ACTIVE', 'SUSPENDED')).rejects.toThrow(StaleTransitionError);
    await devices.transitionLifecycle('lc-2', 'ACTIVE', 'DECOMMISSIONED');
    const exported = (await devices.connectableCredentials()).map((d) => d.id);
    expect(exported).not.toContain('lc-1');
    expect(exported).not.toContain('lc-2');
    expect(exported).toContain('hb-1');
    expect((await devices.modelFacts({ deviceIds: ['lc-1', 'lc-2', 'hb-1'] })).map((d) => d.id)).toEqual(['hb-1']);
  });

  it('reads the configurations of many devices at once: custom, default (null), or no such device', async () => {
    await insert('cfg-1');
    await insert('cfg-2');
    expect(await devices.setConfig('cfg-1', { statusIntervalS: 60 })).toBe(true);
    expect(await devices.findConfigs(['cfg-1', 'cfg-2', 'nobody'])).toEqual(
      new Map<string, unknown>([
        ['cfg-1', { statusIntervalS: 60 }],
        ['cfg-2', null],
      ]),
    );
  });

  it('records a batch of connects and disconnects in one statement: last state wins, a first connect activates', async () => {
    await insert('cn-new', 'PROVISIONED');
    await insert('cn-flap', 'PROVISIONED');
    await insert('cn-suspended', 'SUSPENDED');
    await insert('cn-active', 'ACTIVE');
    await devices.recordConnectivity([
      { id: 'cn-new', state: 'ONLINE' },
      { id: 'cn-flap', state: 'ONLINE' },
      { id: 'cn-suspended', state: 'ONLINE' },
      { id: 'cn-active', state: 'ONLINE' },
      { id: 'nobody', state: 'ONLINE' },
      { id: 'cn-flap', state: 'OFFLINE' },
      { id: 'cn-active', state: 'OFFLINE' },
    ]);
    const rows: Array<{ id: string; lifecycle: string; connectivity: string; seen: boolean }> = await ds.query(
      `SELECT id, lifecycle, connectivity, last_seen_at IS NOT NULL AS seen FROM devices WHERE id LIKE 'cn-%' ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'cn-active', lifecycle: 'ACTIVE', connectivity: 'OFFLINE', seen: true },
      { id: 'cn-flap', lifecycle: 'ACTIVE', connectivity: 'OFFLINE', seen: true },
      { id: 'cn-new', lifecycle: 'ACTIVE', connectivity: 'ONLINE', seen: true },
      { id: 'cn-suspended', lifecycle: 'SUSPENDED', connectivity: 'ONLINE', seen: true },
    ]);
    expect(await devices.loginFacts(['cn-suspended', 'nobody', 'cn-new'])).toEqual(
      new Map([
        ['cn-suspended', { secretHash: 'x', lifecycle: 'SUSPENDED' }],
        ['cn-new', { secretHash: 'x', lifecycle: 'ACTIVE' }],
      ]),
    );
  });

  it('stores the latest op set; an older report does not overwrite a newer one, and no report leaves it null', async () => {
    await insert('cap-1');
    expect((await devices.modelFacts({ deviceIds: ['cap-1'] }))[0].opSet).toBeNull();
    const newer = Uint8Array.from([1, 1, 0x81, 0]);
    const older = Uint8Array.from([1, 1, 0x01, 0]);
    expect(await devices.recordCapabilities('cap-1', { opSet: newer, deviceTimeMs: 5_000 })).toBe(true);
    expect(await devices.recordCapabilities('cap-1', { opSet: older, deviceTimeMs: 4_999 })).toBe(false);
    const row = await devices.findById('cap-1');
    expect(row).toMatchObject({ capabilitiesDeviceMs: '5000' });
    expect(new Uint8Array(row!.opSet!)).toEqual(newer);
    expect(row!.capabilitiesAt).toBeInstanceOf(Date);
    expect((await devices.modelFacts({ deviceIds: ['cap-1'] }))[0].opSet).toEqual(newer);
    // The same report re-delivered is stored again (equal clocks), a device that does not exist is not created.
    expect(await devices.recordCapabilities('cap-1', { opSet: newer, deviceTimeMs: 5_000 })).toBe(true);
    expect(await devices.recordCapabilities('nobody', { opSet: newer, deviceTimeMs: 1 })).toBe(false);
  });
});
