import { Module } from '@nestjs/common';
import { EnergySnapshotsRepository } from './energy-snapshots.repository';
import { EventPartitionsExecutor } from './event-partitions.executor';
import { EventPartitionsRepository } from './event-partitions.repository';
import { EventsRepository } from './events.repository';
import { IngestService } from './ingest.service';

@Module({
  providers: [
    IngestService,
    EventsRepository,
    EnergySnapshotsRepository,
    EventPartitionsRepository,
    EventPartitionsExecutor,
  ],
  exports: [IngestService, EventsRepository, EventPartitionsExecutor],
})
export class IngestModule {}
