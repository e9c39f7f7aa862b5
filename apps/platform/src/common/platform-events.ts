import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { DeviceLifecycle } from '../devices/device-lifecycle';

/** In-process notifications between features (no delivery guarantee: the database is the truth). */
export interface PlatformEventMap {
  /** A claim or device credential was created, replaced or revoked. */
  'credentials-changed': [];
  /**
   * A device can hear its downlinks now: it resumed a session that holds its subscription, or it
   * subscribed to its downlink (embedded broker only: an external one does not say).
   */
  'downlink-ready': [deviceId: string];
  /** A device's status heartbeat was stored. */
  'device-status': [deviceId: string];
  /** A batch of inference events committed: the devices it touched and the rows inserted (dashboard live view). */
  'events-stored': [deviceIds: string[], inserted: number];
  /** An operator moved a device's lifecycle (suspended, resumed, decommissioned). */
  'device-lifecycle': [deviceId: string, lifecycle: DeviceLifecycle];
  /** A device was registered by claim (a new row in devices). */
  'device-registered': [deviceId: string];
  /** A device's session opened or closed (embedded broker), after the database recorded it. */
  'device-connectivity': [deviceId: string, state: 'ONLINE' | 'OFFLINE'];
  /** An OTA job changed state (a single move emits inside its transaction, a batch right after its statement: listeners re-read a little later). */
  'ota-job-transition': [jobId: number, deviceId: string, rolloutId: number, toState: string];
}

@Injectable()
export class PlatformEvents extends EventEmitter<PlatformEventMap> {}
