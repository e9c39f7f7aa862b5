import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** In-process notifications between features (no delivery guarantee: the database is the truth). */
export interface PlatformEventMap {
  /** A claim or device credential was created, replaced or revoked. */
  'credentials-changed': [];
}

@Injectable()
export class PlatformEvents extends EventEmitter<PlatformEventMap> {}
