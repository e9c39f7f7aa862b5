import { Module } from '@nestjs/common';
import { EvidenceController } from './evidence.controller';
import { EvidenceIngestService } from './evidence-ingest.service';
import { EvidenceRetentionExecutor } from './evidence-retention.executor';
import { EvidenceRepository } from './evidence.repository';
import { EvidenceUploadsRepository } from './evidence-uploads.repository';
import { EvidenceService } from './evidence.service';

/**
 * Evidence on request (#18, docs/protocol.md §12): requests to a cohort, verified windows with
 * retention, labels and the export a retrain reads. Each device's evidence key is stored by
 * provisioning (DevicesRepository.setEvidenceKey), in the transaction that issues its secret.
 */
@Module({
  controllers: [EvidenceController],
  providers: [
    EvidenceRepository,
    EvidenceUploadsRepository,
    EvidenceService,
    EvidenceIngestService,
    EvidenceRetentionExecutor,
  ],
  exports: [EvidenceRepository, EvidenceService, EvidenceIngestService, EvidenceRetentionExecutor],
})
export class EvidenceModule {}
