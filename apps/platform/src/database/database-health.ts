import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';

/** Whether the database answers: one round trip, for the health endpoint. */
@Injectable()
export class DatabaseHealth {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  ping(): Promise<'up' | 'down'> {
    return this.m.query('SELECT 1').then(
      () => 'up' as const,
      () => 'down' as const,
    );
  }
}
