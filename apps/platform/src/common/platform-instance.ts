import { Injectable } from '@nestjs/common';
import { generateId } from './credential-hasher';

/**
 * This process among the platform instances sharing one database: what it writes as lease owner
 * and as the actor of a job transition. New at every start, so a restarted instance never mistakes
 * a lease its previous life held for its own.
 */
@Injectable()
export class PlatformInstance {
  readonly id = generateId('inst');
}
