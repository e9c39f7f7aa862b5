import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, Notification } from 'pg';
import { DataSource } from 'typeorm';
import { PlatformInstance } from '../common/platform-instance';

/** What one instance saw that every instance's dashboards should show (LiveEventsService's inputs). */
export type LiveInput =
  | { k: 'events'; deviceIds: string[]; inserted: number }
  | { k: 'registered'; deviceId: string }
  | { k: 'connectivity'; deviceId: string; state: 'ONLINE' | 'OFFLINE' }
  | { k: 'ota'; deviceId: string; rolloutId: number };

const CHANNEL = 'tinyfleet_live';
/** Inputs are sent together at most this often: one NOTIFY per instance per flush, whatever the fleet does. */
const FLUSH_MS = 100;
/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; a batch above this is split. */
const MAX_PAYLOAD_BYTES = 7900;
/** One device more than a live message lists, so receivers can still tell a list was cut. */
const MAX_DEVICE_IDS = 501;

/**
 * Carries live-view inputs between platform instances on one PostgreSQL, so a browser connected
 * to any instance sees the whole fleet: each instance NOTIFYs what it saw (batched, events
 * coalesced into one count), and LISTENs on a connection of its own for the others' batches.
 * Delivery is best effort, as the in-process events are: the database stays the truth and views
 * re-read it. Embedded PGlite is one process by construction: nothing to carry, nothing runs.
 */
@Injectable()
export class LiveFanout implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(LiveFanout.name);
  private listener?: Client;
  private handler: (input: LiveInput) => void = () => undefined;
  private queue: LiveInput[] = [];
  private events?: Extract<LiveInput, { k: 'events' }>;
  private timer?: NodeJS.Timeout;
  private flushing = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly instance: PlatformInstance,
  ) {}

  get active(): boolean {
    return this.listener !== undefined;
  }

  async onModuleInit(): Promise<void> {
    const [row]: Array<{ version: string }> = await this.db.query('SELECT version()');
    if (row?.version.includes('PGlite')) return;
    const url = (this.db.options as { url?: string }).url;
    const client = new Client({ connectionString: url });
    await client.connect();
    client.on('notification', (n) => this.receive(n));
    client.on('error', (err) => this.log.warn(`live fan-out listener: ${err.message}`));
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** Where inputs from other instances go. */
  onRemote(handler: (input: LiveInput) => void): void {
    this.handler = handler;
  }

  /** Sends an input seen here to the other instances (with the next batch). */
  publish(input: LiveInput): void {
    if (!this.listener) return;
    if (input.k === 'events') {
      this.events ??= { k: 'events', deviceIds: [], inserted: 0 };
      this.events.inserted += input.inserted;
      for (const id of input.deviceIds) {
        if (this.events.deviceIds.length >= MAX_DEVICE_IDS) break;
        this.events.deviceIds.push(id);
      }
    } else this.queue.push(input);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush();
    }, FLUSH_MS);
  }

  private async flush(): Promise<void> {
    const batch = this.events ? [this.events, ...this.queue] : this.queue;
    this.events = undefined;
    this.queue = [];
    try {
      for (const part of split(batch, this.instance.id))
        await this.db.query('SELECT pg_notify($1, $2)', [CHANNEL, part]);
    } catch (err) {
      this.log.warn(`could not send live inputs to the other instances: ${String(err)}`);
    }
  }

  private receive(n: Notification): void {
    if (n.channel !== CHANNEL || !n.payload) return;
    let message: { from?: unknown; inputs?: unknown };
    try {
      message = JSON.parse(n.payload);
    } catch {
      return this.log.warn('ignored a live fan-out payload that is not JSON');
    }
    // Our own NOTIFYs come back to us too; those inputs were applied when they happened.
    if (message.from === this.instance.id || !Array.isArray(message.inputs)) return;
    for (const input of message.inputs as LiveInput[]) this.handler(input);
  }
}

/** JSON payloads under PostgreSQL's NOTIFY limit, halving the batch until each part fits. */
function split(inputs: LiveInput[], from: string): string[] {
  if (inputs.length === 0) return [];
  const payload = JSON.stringify({ from, inputs });
  if (Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES) return [payload];
  if (inputs.length === 1) {
    const only = inputs[0]!;
    // Only a big events input can be this large: fewer device ids, the same count.
    if (only.k !== 'events') return [];
    return split([{ ...only, deviceIds: only.deviceIds.slice(0, Math.floor(only.deviceIds.length / 2)) }], from);
  }
  const half = Math.ceil(inputs.length / 2);
  return [...split(inputs.slice(0, half), from), ...split(inputs.slice(half), from)];
}
