import { Module } from '@nestjs/common';
import { AccuracyIngestService } from './accuracy-ingest.service';

/**
 * On-device accuracy reports (up/accuracy): ingest. Rollout health gates and the energy report read
 * the stored rows through accuracy-reports.query.ts and the window arithmetic in accuracy-window.ts.
 */
@Module({ providers: [AccuracyIngestService] })
export class AccuracyModule {}
