import { Inject, Injectable } from '@nestjs/common';
import type { EnergySnapshotV1, InferenceEventV1 } from '@tinyfleet/wire';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { GroupCommitQueue } from '../common/group-commit-queue';
import { PlatformEvents } from '../common/platform-events';
import { MetricsService } from '../metrics/metrics.service';
import { EnergySnapshotsRepository } from './energy-snapshots.repository';
import { EventsRepository } from './events.repository';

interface EventRow {
  deviceId: string;
  event: InferenceEventV1;
}
interface EnergyRow {
  deviceId: string;
  snapshot: EnergySnapshotV1;
}

/** Stores decoded inference events and energy snapshots, group-committed. Each submit resolves only once its row is committed. */
@Injectable()
export class IngestService {
  private readonly eventQueue: GroupCommitQueue<EventRow>;
  private readonly energyQueue: GroupCommitQueue<EnergyRow>;

  constructor(
    private readonly eventRows: EventsRepository,
    private readonly energyRows: EnergySnapshotsRepository,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly events: PlatformEvents,
  ) {
    // A real PostgreSQL writes two batches at once; PGlite serialises queries anyway.
    const concurrency = config.database.mode === 'external' ? 2 : 1;
    this.eventQueue = new GroupCommitQueue((rows) => this.writeEvents(rows), config.ingest.maxBatchRows, concurrency);
    this.energyQueue = new GroupCommitQueue((rows) => this.energyRows.insertBatch(rows), config.ingest.maxBatchRows, 1);
  }

  submitEvent(deviceId: string, event: InferenceEventV1): Promise<void> {
    return this.eventQueue.submit({ deviceId, event });
  }

  submitEnergy(deviceId: string, snapshot: EnergySnapshotV1): Promise<void> {
    return this.energyQueue.submit({ deviceId, snapshot });
  }

  private async writeEvents(rows: EventRow[]): Promise<void> {
    const end = this.metrics.ingestBatchSeconds.startTimer();
    const inserted = await this.eventRows.insertBatch(rows);
    end();
    this.metrics.ingestBatchRows.observe(rows.length);
    this.metrics.eventsIngested.inc(inserted);
    // Rows not inserted are re-deliveries of stored events, or events of devices that no longer exist.
    if (rows.length > inserted) this.metrics.duplicateEvents.inc(rows.length - inserted);
    if (inserted > 0) this.events.emit('events-stored', [...new Set(rows.map((r) => r.deviceId))], inserted);
  }
}
