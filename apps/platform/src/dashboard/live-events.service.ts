import { Injectable, MessageEvent, OnModuleDestroy, Optional } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { PlatformEvents } from '../common/platform-events';
import { LiveFanout, LiveInput } from './live-fanout';

/** Device ids listed per events tick; beyond it the browser treats every device as touched. */
const MAX_DEVICE_IDS_PER_TICK = 500;
const TICK_MS = 1000;
/** OTA transitions are emitted inside their transaction: wait a little so a re-read sees them. */
const OTA_DEBOUNCE_MS = 300;
const RATE_WINDOW_S = 10;
const PING_MS = 15_000;

export type LiveMessage =
  | { type: 'hello'; eventsPerSecond: number }
  | { type: 'events'; count: number; eventsPerSecond: number; devices: string[]; truncated: boolean }
  | { type: 'device'; deviceId: string; change: 'registered' | 'online' | 'offline' }
  | { type: 'ota'; rolloutIds: number[]; deviceIds: string[] }
  | { type: 'ping' };

/**
 * Turns in-process platform notifications into a small, coalesced stream for browsers: at most
 * one `events` message per second however many devices report (a fleet of thousands would
 * otherwise flood every open dashboard), and OTA transitions grouped per rollout. With several
 * platform instances on one PostgreSQL, LiveFanout brings in what the others saw, so the stream
 * (and its rate) is the whole fleet's wherever the browser is connected.
 */
@Injectable()
export class LiveEventsService implements OnModuleDestroy {
  private readonly out = new Subject<LiveMessage>();
  private readonly pendingDevices = new Set<string>();
  private pendingCount = 0;
  private lastTickHadEvents = false;
  /** Events per second over the last RATE_WINDOW_S ticks (a ring of per-tick counts). */
  private readonly window: number[] = [];
  private readonly otaRollouts = new Set<number>();
  private readonly otaDevices = new Set<string>();
  private otaTimer?: NodeJS.Timeout;
  private readonly ticker: NodeJS.Timeout;

  /** Without a fan-out (unit tests), only this process's notifications are shown. */
  constructor(events: PlatformEvents, @Optional() fanout?: LiveFanout) {
    const local = (input: LiveInput) => {
      this.apply(input);
      fanout?.publish(input);
    };
    events.on('events-stored', (deviceIds, inserted) => local({ k: 'events', deviceIds, inserted }));
    events.on('device-registered', (deviceId) => local({ k: 'registered', deviceId }));
    events.on('device-connectivity', (deviceId, state) => local({ k: 'connectivity', deviceId, state }));
    events.on('ota-job-transition', (_jobId, deviceId, rolloutId) => local({ k: 'ota', deviceId, rolloutId }));
    fanout?.onRemote((input) => this.apply(input));
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
  }

  /** What this instance or another one (through the fan-out) saw. */
  private apply(input: LiveInput): void {
    switch (input.k) {
      case 'events':
        this.pendingCount += input.inserted;
        for (const id of input.deviceIds)
          if (this.pendingDevices.size <= MAX_DEVICE_IDS_PER_TICK) this.pendingDevices.add(id);
        return;
      case 'registered':
        return this.out.next({ type: 'device', deviceId: input.deviceId, change: 'registered' });
      case 'connectivity':
        return this.out.next({
          type: 'device',
          deviceId: input.deviceId,
          change: input.state === 'ONLINE' ? 'online' : 'offline',
        });
      case 'ota':
        this.otaRollouts.add(input.rolloutId);
        this.otaDevices.add(input.deviceId);
        this.otaTimer ??= setTimeout(() => this.flushOta(), OTA_DEBOUNCE_MS);
        return;
    }
  }

  eventsPerSecond(): number {
    if (this.window.length === 0) return 0;
    return Math.round((this.window.reduce((a, b) => a + b, 0) / this.window.length) * 10) / 10;
  }

  /** One subscriber's stream: a hello with the current rate, the broadcast, and a keep-alive ping. */
  stream(): Observable<MessageEvent> {
    return new Observable<MessageEvent>((sub) => {
      sub.next({ data: { type: 'hello', eventsPerSecond: this.eventsPerSecond() } satisfies LiveMessage });
      const relay = this.out.subscribe({ next: (m) => sub.next({ data: m }), complete: () => sub.complete() });
      const ping = setInterval(() => sub.next({ data: { type: 'ping' } satisfies LiveMessage }), PING_MS);
      return () => {
        relay.unsubscribe();
        clearInterval(ping);
      };
    });
  }

  /** Ends every open stream: otherwise the HTTP server's close would wait for browsers to leave. */
  onModuleDestroy(): void {
    clearInterval(this.ticker);
    if (this.otaTimer) clearTimeout(this.otaTimer);
    this.out.complete();
  }

  private tick(): void {
    this.window.push(this.pendingCount);
    if (this.window.length > RATE_WINDOW_S) this.window.shift();
    // A last zero tick after activity lets views show the rate dropping to 0.
    if (this.pendingCount > 0 || this.lastTickHadEvents) {
      const truncated = this.pendingDevices.size > MAX_DEVICE_IDS_PER_TICK;
      this.out.next({
        type: 'events',
        count: this.pendingCount,
        eventsPerSecond: this.eventsPerSecond(),
        devices: [...this.pendingDevices].slice(0, MAX_DEVICE_IDS_PER_TICK),
        truncated,
      });
    }
    this.lastTickHadEvents = this.pendingCount > 0;
    this.pendingCount = 0;
    this.pendingDevices.clear();
  }

  private flushOta(): void {
    this.otaTimer = undefined;
    this.out.next({
      type: 'ota',
      rolloutIds: [...this.otaRollouts],
      deviceIds: [...this.otaDevices].slice(0, MAX_DEVICE_IDS_PER_TICK),
    });
    this.otaRollouts.clear();
    this.otaDevices.clear();
  }
}
