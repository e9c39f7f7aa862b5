import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** In-process notifications between features (no delivery guarantee: the database is the truth). */
export interface PlatformEventMap {
  /** A claim or device credential was created, replaced or revoked. */
  'credentials-changed': [];
  /** A device subscribed to its downlink (embedded broker only: an external one does not say). */
  'downlink-subscribed': [deviceId: string];
  /** A device's status heartbeat was stored. */
  'device-status': [deviceId: string];
}

@Injectable()
export class PlatformEvents extends EventEmitter<PlatformEventMap> {}
