import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Why a message or a connection was refused; the label values of `tinyfleet_rejected_total`. */
export type RejectReason =
  | 'auth-failed'
  | 'connect-overloaded'
  | 'acl-publish'
  | 'acl-subscribe'
  | 'oversized'
  | 'malformed'
  | 'schema'
  | 'unknown-topic'
  | 'unknown-device'
  | 'device-not-active'
  | 'unknown-job';

/** The platform's Prometheus registry (its own, so tests can build several apps in one process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly connectedDevices = new Gauge({
    name: 'tinyfleet_connected_devices',
    help: 'Devices with an open MQTT session',
    registers: [this.registry],
  });
  readonly eventsIngested = new Counter({
    name: 'tinyfleet_events_ingested_total',
    help: 'Inference events stored (duplicates not counted)',
    registers: [this.registry],
  });
  readonly duplicateEvents = new Counter({
    name: 'tinyfleet_events_duplicate_total',
    help: 'Inference events received again (QoS 1 re-delivery or device re-send) and not stored twice',
    registers: [this.registry],
  });
  readonly uplinksRedelivered = new Counter({
    name: 'tinyfleet_uplinks_redelivered_total',
    help: 'Uplinks the broker delivered again because no instance acknowledged them in time (NATS cluster mode)',
    registers: [this.registry],
  });
  readonly messagesReceived = new Counter({
    name: 'tinyfleet_uplink_messages_total',
    help: 'Uplink messages accepted, by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'tinyfleet_rejected_total',
    help: 'Refused connections, publishes, subscriptions and payloads, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly provisioning = new Counter({
    name: 'tinyfleet_provisioning_total',
    help: 'Registrations by claim, by outcome (registered, reused, replaced, refused:<reason>)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly ingestBatchSeconds = new Histogram({
    name: 'tinyfleet_ingest_batch_seconds',
    help: 'Time to store one batch of uplink rows durably (one transaction)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly ingestBatchRows = new Histogram({
    name: 'tinyfleet_ingest_batch_rows',
    help: 'Rows per ingest batch',
    buckets: [1, 5, 10, 50, 100, 500, 1000, 5000],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  reject(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }
}
