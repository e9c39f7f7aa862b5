import { Module } from '@nestjs/common';
import { AccuracyIngestService } from './accuracy-ingest.service';
import { AccuracyReportsRepository } from './accuracy-reports.repository';

/**
 * On-device accuracy reports (up/accuracy): ingest. Rollout health gates and the energy report read
 * the stored rows through AccuracyReportsRepository and the window arithmetic in accuracy-window.ts.
 */
@Module({ providers: [AccuracyIngestService, AccuracyReportsRepository], exports: [AccuracyReportsRepository] })
export class AccuracyModule {}
