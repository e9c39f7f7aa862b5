import { Module } from '@nestjs/common';
import { EnergySnapshotsRepository } from './energy-snapshots.repository';
import { EventsRepository } from './events.repository';
import { IngestService } from './ingest.service';

@Module({
  providers: [IngestService, EventsRepository, EnergySnapshotsRepository],
  exports: [IngestService, EventsRepository],
})
export class IngestModule {}
