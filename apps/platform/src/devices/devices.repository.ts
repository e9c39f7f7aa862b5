/**
 * DevicesRepository and the row shapes it reads and writes. Over 400 lines on purpose: it is the
 * devices table's owner (the class comment names the one other writer), so a change to a column,
 * the lifecycle guard or the slot columns is made and reviewed in one place; a quarter of the file
 * is the row shapes that OTA targeting, the energy report and the dashboard read. Splitting their
 * reads out would give the table a second owner.
 */
import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager, FindOptionsWhere, ILike, IsNull } from 'typeorm';
import { DeviceConnectivity, Device } from './device.entity';
import { CONNECTABLE_LIFECYCLES, DeviceLifecycle, deviceLifecycleMachine } from './device-lifecycle';

/** One A/B model slot as a status heartbeat reports it (sha256 in hex, tag = its first 4 bytes). */
export interface ModelSlot {
  modelId: string;
  modelVersion: string;
  sha256: string;
  tag: number;
  sizeBytes: number;
}

/** A status heartbeat as stored: the message itself (for display) and the columns the platform queries. */
export interface StatusRecord {
  status: Record<string, unknown>;
  deviceTimeMs: number;
  firmwareVersion: string;
  interpreterVersion: string;
  active: ModelSlot | null;
  inactive: ModelSlot | null;
}

/** A broker connect (ONLINE) or disconnect (OFFLINE) of one device. */
export interface ConnectivityChange {
  id: string;
  state: DeviceConnectivity;
}

/** Which devices; every field narrows (AND). */
export interface DeviceSelector {
  stream?: string;
  mcuProfile?: string;
  radioProfile?: string;
  tags?: string[];
  deviceIds?: string[];
  activeModelId?: string;
  activeModelVersion?: string;
}

export interface DevicePageQuery {
  stream?: string;
  mcuProfile?: string;
  lifecycle?: DeviceLifecycle;
  connectivity?: DeviceConnectivity;
  /** Substring of the id or the hardware id. */
  q?: string;
  sort: 'id' | 'lastSeenAt' | 'createdAt' | 'eventsCount';
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** A device as model admission sees it: its part, stream, interpreter and the model it runs. */
export interface DeviceModelFacts {
  id: string;
  mcuProfile: string;
  sensorStream: string;
  interpreterVersion: string;
  activeModelSha256: string | null;
  activeModelBytes: number | null;
  /** The op set of its latest up/capabilities (wire bytes); null: it never reported one. */
  opSet: Uint8Array | null;
}

/** What the energy report needs of each device. */
export interface DeviceReportFacts {
  id: string;
  hardwareId: string;
  sensorStream: string;
  mcuProfile: string;
  radioProfile: string;
  tags: string[];
  /** `modelId@modelVersion` of the active slot, or null. */
  activeModel: string | null;
}

export type FleetDimension = 'lifecycle' | 'connectivity' | 'stream' | 'mcuProfile' | 'radioProfile' | 'model';

// recordConnectivity writes the first-connect move in its own UPDATE: fail at load if the table stops allowing it.
deviceLifecycleMachine.assertTransition('a device at its first connect', 'PROVISIONED', 'ACTIVE');

/** One grouped scan per dimension in one statement: cheap for thousands of devices, no row transfer. */
const SUMMARY_SQL = `
SELECT 'lifecycle' AS dim, lifecycle AS key, count(*)::int AS n, sum(events_count)::bigint AS ev FROM devices GROUP BY lifecycle
UNION ALL SELECT 'connectivity', connectivity, count(*)::int, 0 FROM devices GROUP BY connectivity
UNION ALL SELECT 'stream', sensor_stream, count(*)::int, 0 FROM devices GROUP BY sensor_stream
UNION ALL SELECT 'mcuProfile', mcu_profile, count(*)::int, 0 FROM devices GROUP BY mcu_profile
UNION ALL SELECT 'radioProfile', radio_profile, count(*)::int, 0 FROM devices GROUP BY radio_profile
UNION ALL SELECT 'model', COALESCE(active_model_id || '@' || active_model_version, 'unknown'), count(*)::int, 0 FROM devices GROUP BY 2`;

const SLOT_COLUMNS = (side: 'active' | 'inactive') =>
  [
    `${side}_model_id`,
    `${side}_model_version`,
    `${side}_model_sha256`,
    `${side}_model_tag`,
    `${side}_model_bytes`,
  ] as const;

/**
 * The devices table: every read and write of a device row goes through here, and every lifecycle
 * change through `transitionLifecycle` (the table in device-lifecycle.ts, guarded on the state the
 * caller saw). Works on its own connection or, through `within`, inside a caller's transaction.
 * (The one other writer is the event ingest statement, which bumps a device's event counters in
 * the same statement that stores the events, so the counters are exactly-once.)
 */
@Injectable()
export class DevicesRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  /** The same repository on a caller's transaction. */
  within(tx: EntityManager): DevicesRepository {
    return new DevicesRepository(tx);
  }

  findById(id: string): Promise<Device | null> {
    return this.m.getRepository(Device).findOneBy({ id });
  }

  findByHardwareId(hardwareId: string): Promise<Device | null> {
    return this.m.getRepository(Device).findOneBy({ hardwareId });
  }

  exists(id: string): Promise<boolean> {
    return this.m.getRepository(Device).existsBy({ id });
  }

  async page(q: DevicePageQuery): Promise<{ rows: Device[]; total: number }> {
    const base: FindOptionsWhere<Device> = {};
    if (q.stream) base.sensorStream = q.stream;
    if (q.mcuProfile) base.mcuProfile = q.mcuProfile;
    if (q.lifecycle) base.lifecycle = q.lifecycle;
    if (q.connectivity) base.connectivity = q.connectivity;
    const pattern = q.q ? `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    const where = pattern
      ? [
          { ...base, id: ILike(pattern) },
          { ...base, hardwareId: ILike(pattern) },
        ]
      : base;
    const [rows, total] = await this.m.getRepository(Device).findAndCount({
      where,
      order: { [q.sort]: q.order, id: 'asc' },
      take: q.limit,
      skip: q.offset,
    });
    return { rows, total };
  }

  /** A new device row (registration by claim). */
  async insert(device: Omit<Device, 'createdAt' | 'updatedAt' | NullableColumns>): Promise<void> {
    await this.m.getRepository(Device).insert(device);
  }

  /**
   * A re-registration: the device's description and provisioning scope from the claim, and new
   * credentials when the policy issues them, applied only while the device is still bound and in the
   * lifecycle the caller decided on (false: it changed meanwhile, nothing written). The lifecycle
   * moves (if at all) through the table.
   */
  async reregister(
    id: string,
    seen: Pick<Device, 'provisioningScope' | 'lifecycle'>,
    fields: Pick<
      Device,
      | 'claimId'
      | 'provisioningScope'
      | 'mcuProfile'
      | 'radioProfile'
      | 'sensorStream'
      | 'firmwareVersion'
      | 'interpreterVersion'
    >,
    credential: { secretHash: string; brokerHash: string } | null,
  ): Promise<boolean> {
    const res = await this.m
      .getRepository(Device)
      .update(
        { id, provisioningScope: seen.provisioningScope ?? IsNull(), lifecycle: seen.lifecycle },
        { ...fields, ...(credential ? { ...credential, credentialsVersion: () => 'credentials_version + 1' } : {}) },
      );
    return (res.affected ?? 0) > 0;
  }

  /** The evidence key derived from a secret just issued (docs/protocol.md §12.2); replaces an older one. */
  async setEvidenceKey(id: string, key: Uint8Array): Promise<void> {
    await this.m.query(
      `INSERT INTO device_evidence_keys (device_id, key) VALUES ($1, $2)
       ON CONFLICT (device_id) DO UPDATE SET key = EXCLUDED.key, created_at = now()`,
      [id, Buffer.from(key)],
    );
  }

  /** The devices' configurations, null for platform defaults; an id with no device is left out. */
  async findConfigs(ids: string[]): Promise<Map<string, Record<string, unknown> | null>> {
    const rows: Array<{ id: string; config: Record<string, unknown> | null }> = await this.m.query(
      `SELECT id, config FROM devices WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.config]));
  }

  /** False when there is no such device. */
  async setConfig(id: string, config: Record<string, unknown>): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.m.query(
      `UPDATE devices SET config = $2::jsonb, updated_at = now() WHERE id = $1 RETURNING id`,
      [id, JSON.stringify(config)],
    );
    return rows.length > 0;
  }

  /** False when there is no such device. */
  async releaseProvisioning(id: string): Promise<boolean> {
    const res = await this.m.getRepository(Device).update({ id }, { provisioningScope: null });
    return (res.affected ?? 0) > 0;
  }

  /**
   * Broker connects and disconnects of many devices in one statement (group commit): each device's
   * last state wins, and one that connected in the batch moves PROVISIONED → ACTIVE in the same
   * UPDATE (the table's move, applied only where the row is still PROVISIONED: a device suspended or
   * decommissioned meanwhile keeps that lifecycle). Ids are sorted, so two batches touching the same
   * devices lock their rows in the same order.
   */
  async recordConnectivity(changes: ConnectivityChange[]): Promise<void> {
    const byId = new Map<string, { state: DeviceConnectivity; connected: boolean }>();
    for (const c of changes) {
      byId.set(c.id, { state: c.state, connected: c.state === 'ONLINE' || (byId.get(c.id)?.connected ?? false) });
    }
    const ids = [...byId.keys()].sort();
    if (ids.length === 0) return;
    await this.m.query(
      `UPDATE devices d SET connectivity = u.state, last_seen_at = now(), updated_at = now(),
         lifecycle = CASE WHEN u.connected AND d.lifecycle = 'PROVISIONED' THEN 'ACTIVE' ELSE d.lifecycle END
       FROM unnest($1::text[], $2::text[], $3::bool[]) AS u (id, state, connected)
       WHERE d.id = u.id`,
      [ids, ids.map((id) => byId.get(id)!.state), ids.map((id) => byId.get(id)!.connected)],
    );
  }

  async markAllOffline(): Promise<void> {
    await this.m.query(`UPDATE devices SET connectivity = 'OFFLINE', updated_at = now() WHERE connectivity = 'ONLINE'`);
  }

  /**
   * One UPDATE per heartbeat: the message, its model slots as columns, firmware and interpreter. An
   * older heartbeat (re-delivered late, by the device clock) does not overwrite a newer one.
   */
  async recordStatus(id: string, r: StatusRecord): Promise<void> {
    const slot = (s: ModelSlot | null) =>
      s ? [s.modelId, s.modelVersion, s.sha256, s.tag, s.sizeBytes] : [null, null, null, null, null];
    const set = [...SLOT_COLUMNS('active'), ...SLOT_COLUMNS('inactive')].map((c, i) => `${c} = $${i + 6}`);
    await this.m.query(
      `UPDATE devices SET last_status = $2::jsonb, status_device_ms = $5, last_status_at = now(), last_seen_at = now(),
         firmware_version = $3, interpreter_version = $4, updated_at = now(), ${set.join(', ')}
       WHERE id = $1 AND (status_device_ms IS NULL OR status_device_ms <= $5)`,
      [
        id,
        JSON.stringify(r.status),
        r.firmwareVersion,
        r.interpreterVersion,
        r.deviceTimeMs,
        ...slot(r.active),
        ...slot(r.inactive),
      ],
    );
  }

  /**
   * Stores an up/capabilities report's op set (the interpreter version stays the status heartbeat's, whose
   * clock orders it against the firmware and slots it describes). An older report (re-delivered late, by
   * the device clock) does not overwrite a newer one; equal clocks do (a re-delivery of the same report).
   * Returns false when nothing was written (no such device, or an older report).
   */
  async recordCapabilities(id: string, r: { opSet: Uint8Array; deviceTimeMs: number }): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.m.query(
      `UPDATE devices SET op_set = $2, capabilities_device_ms = $3, capabilities_at = now(), last_seen_at = now(),
         updated_at = now()
       WHERE id = $1 AND (capabilities_device_ms IS NULL OR capabilities_device_ms <= $3) RETURNING id`,
      [id, Buffer.from(r.opSet.buffer, r.opSet.byteOffset, r.opSet.byteLength), r.deviceTimeMs],
    );
    return rows.length > 0;
  }

  async countRejected(id: string): Promise<void> {
    await this.m.query(`UPDATE devices SET rejected_count = rejected_count + 1 WHERE id = $1`, [id]);
  }

  /** `from → to` through the lifecycle table, applied only if the device is still `from`. */
  async transitionLifecycle(id: string, from: DeviceLifecycle, to: DeviceLifecycle): Promise<void> {
    await deviceLifecycleMachine.transition(`device ${id}`, from, to, async () => {
      const res = await this.m
        .getRepository(Device)
        .update(
          { id, lifecycle: from },
          { lifecycle: to, ...(to === 'DECOMMISSIONED' ? { connectivity: 'OFFLINE' } : {}) },
        );
      return res.affected ?? 0;
    });
  }

  /**
   * What a CONNECT is checked against, for a batch of CONNECTs: a primary-key lookup each, in plain
   * SQL (no entity to build per CONNECT). Ids with no device are left out.
   */
  async loginFacts(ids: string[]): Promise<Map<string, Pick<Device, 'secretHash' | 'lifecycle'>>> {
    const rows: Array<{ id: string; secret_hash: string; lifecycle: DeviceLifecycle }> = await this.m.query(
      `SELECT id, secret_hash, lifecycle FROM devices WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { secretHash: r.secret_hash, lifecycle: r.lifecycle }]));
  }

  /** Stores a newer form of the same secret's hash, unless the credential changed since `from` was read. */
  async upgradeSecretHash(id: string, from: string, to: string): Promise<void> {
    await this.m.getRepository(Device).update({ id, secretHash: from }, { secretHash: to });
  }

  /** Broker password entries of the devices that may connect (suspended and decommissioned ones are left out). */
  connectableCredentials(): Promise<Array<{ id: string; broker_hash: string }>> {
    return this.m.query(`SELECT id, broker_hash FROM devices WHERE lifecycle = ANY($1::text[]) ORDER BY id`, [
      CONNECTABLE_LIFECYCLES,
    ]);
  }

  /** Connectable devices matching the selector, with the model each runs, by id. */
  async modelFacts(s: DeviceSelector): Promise<DeviceModelFacts[]> {
    const where = [`lifecycle = ANY($1::text[])`];
    const params: unknown[] = [CONNECTABLE_LIFECYCLES];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (s.stream) add('sensor_stream = ?', s.stream);
    if (s.mcuProfile) add('mcu_profile = ?', s.mcuProfile);
    if (s.radioProfile) add('radio_profile = ?', s.radioProfile);
    if (s.tags?.length) add('tags @> ?::text[]', s.tags);
    if (s.deviceIds?.length) add('id = ANY(?)', s.deviceIds);
    if (s.activeModelId) add('active_model_id = ?', s.activeModelId);
    if (s.activeModelVersion) add('active_model_version = ?', s.activeModelVersion);
    const rows: Array<{
      id: string;
      mcu_profile: string;
      sensor_stream: string;
      interpreter_version: string;
      active_model_sha256: string | null;
      active_model_bytes: number | null;
      op_set: Buffer | null;
    }> = await this.m.query(
      `SELECT id, mcu_profile, sensor_stream, interpreter_version, active_model_sha256,
         active_model_bytes::float8 AS active_model_bytes, op_set
       FROM devices WHERE ${where.join(' AND ')} ORDER BY id`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      mcuProfile: r.mcu_profile,
      sensorStream: r.sensor_stream,
      interpreterVersion: r.interpreter_version,
      activeModelSha256: r.active_model_sha256,
      activeModelBytes: r.active_model_bytes,
      opSet: r.op_set === null ? null : new Uint8Array(r.op_set),
    }));
  }

  /** The active slot's model tag of each of these devices that exists (null: empty slot or no status yet). */
  async activeModelTags(ids: readonly string[]): Promise<Map<string, number | null>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: string; tag: number | null }> = await this.m.query(
      `SELECT id, active_model_tag::float8 AS tag FROM devices WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.tag]));
  }

  /** Devices per key of each dimension, and (per lifecycle) their stored events. */
  summary(): Promise<Array<{ dim: FleetDimension; key: string; n: number; ev: string }>> {
    return this.m.query(SUMMARY_SQL);
  }

  async reportFacts(): Promise<DeviceReportFacts[]> {
    const rows: Array<{
      id: string;
      hardware_id: string;
      sensor_stream: string;
      mcu_profile: string;
      radio_profile: string;
      tags: string[] | null;
      active_model_id: string | null;
      active_model_version: string | null;
    }> = await this.m.query(
      `SELECT id, hardware_id, sensor_stream, mcu_profile, radio_profile, tags, active_model_id, active_model_version
       FROM devices ORDER BY id`,
    );
    return rows.map((r) => ({
      id: r.id,
      hardwareId: r.hardware_id,
      sensorStream: r.sensor_stream,
      mcuProfile: r.mcu_profile,
      radioProfile: r.radio_profile,
      tags: r.tags ?? [],
      activeModel: r.active_model_id ? `${r.active_model_id}@${r.active_model_version ?? '?'}` : null,
    }));
  }
}

/** Columns a new row leaves to their defaults (set later by heartbeats, events and operators). */
type NullableColumns =
  | 'config'
  | 'lastStatus'
  | 'lastStatusAt'
  | 'lastSeenAt'
  | 'lastEventSeq'
  | 'lastEventAt'
  | 'statusDeviceMs'
  | 'activeModelId'
  | 'activeModelVersion'
  | 'activeModelSha256'
  | 'activeModelTag'
  | 'activeModelBytes'
  | 'inactiveModelId'
  | 'inactiveModelVersion'
  | 'inactiveModelSha256'
  | 'inactiveModelTag'
  | 'inactiveModelBytes'
  | 'opSet'
  | 'capabilitiesDeviceMs'
  | 'capabilitiesAt';
