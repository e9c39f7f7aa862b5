import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * The operator API (`/api/*`) requires `Authorization: Bearer <API_TOKEN>` whenever a token is
 * configured, which boot insists on as soon as the platform listens beyond loopback. Health,
 * metrics and the OpenAPI document stay readable (they reveal no fleet data and no secrets).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = config.http.apiToken ? digest(config.http.apiToken) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected || context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!req.path.startsWith('/api/')) return true;
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    // Compare digests: equal length, constant time, whatever the caller sent.
    if (token && timingSafeEqual(digest(token), this.expected)) return true;
    throw new UnauthorizedException('the operator API needs Authorization: Bearer <API_TOKEN>');
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
