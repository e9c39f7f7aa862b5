import { Module } from '@nestjs/common';
import { DriftController } from './drift.controller';
import { DriftMetrics } from './drift-metrics';
import { DriftMonitor } from './drift-monitor';
import { DriftScheduler } from './drift-scheduler.service';
import { DriftVerdictsRepository } from './drift-verdicts.repository';
import { DriftService } from './drift.service';
import { InferenceSummariesRepository } from './inference-summaries.repository';
import { SummaryIngestService } from './summary-ingest.service';

/**
 * Label-free drift (#18): up/summary ingest, verdicts per cohort against the model's reference
 * (DriftMonitor, ticked by DriftScheduler), GET /api/drift and the /metrics gauges. Rollout gates
 * read summaries through InferenceSummariesRepository.
 */
@Module({
  providers: [
    InferenceSummariesRepository,
    DriftVerdictsRepository,
    SummaryIngestService,
    DriftMonitor,
    DriftScheduler,
    DriftService,
    DriftMetrics,
  ],
  controllers: [DriftController],
  exports: [InferenceSummariesRepository, DriftVerdictsRepository, DriftMonitor, DriftService],
})
export class DriftModule {}
