import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccuracyModule } from '../accuracy/accuracy.module';
import { DevicesModule } from '../devices/devices.module';
import { DriftModule } from '../drift/drift.module';
import { IngestModule } from '../ingest/ingest.module';
import { OtaChunkServer } from './delivery/ota-chunk-server';
import { OtaDispatcher } from './delivery/ota-dispatcher.port';
import { OtaOffers } from './delivery/ota-offers';
import { OtaStatusIntake } from './delivery/ota-status-intake';
import { OtaTransfers } from './delivery/ota-transfers';
import { OpenJobsCanceller } from './jobs/open-jobs-canceller';
import { OtaJobEvent } from './jobs/ota-job-event.entity';
import { OtaJob } from './jobs/ota-job.entity';
import { OtaJobsRepository } from './jobs/ota-jobs.repository';
import { ModelArtifact } from './registry/model-artifact.entity';
import { ModelArtifactsRepository } from './registry/model-artifacts.repository';
import { ModelRegistryService } from './registry/model-registry.service';
import { ModelsController } from './registry/models.controller';
import { TrustedKey } from './registry/trusted-key.entity';
import { GateEvidence } from './rollouts/gate-evidence';
import { RollbackRollout } from './rollouts/rollback-rollout';
import { RolloutExecutor } from './rollouts/rollout-executor';
import { RolloutGroup } from './rollouts/rollout-group.entity';
import { RolloutScheduler } from './rollouts/rollout-scheduler.service';
import { RolloutLease } from './rollouts/rollout-lease';
import { Rollout } from './rollouts/rollout.entity';
import { RolloutsController } from './rollouts/rollouts.controller';
import { RolloutsRepository } from './rollouts/rollouts.repository';
import { RolloutsService } from './rollouts/rollouts.service';

/**
 * Model registry (registry/), rollouts and their engine (rollouts/), jobs (jobs/) and delivery
 * over MQTT (delivery/: transfer preparation, offers, chunk serving, status intake).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([TrustedKey, ModelArtifact, Rollout, RolloutGroup, OtaJob, OtaJobEvent]),
    DevicesModule,
    IngestModule,
    AccuracyModule,
    DriftModule,
  ],
  providers: [
    ModelRegistryService,
    ModelArtifactsRepository,
    OtaJobsRepository,
    OpenJobsCanceller,
    OtaTransfers,
    OtaOffers,
    { provide: OtaDispatcher, useExisting: OtaOffers },
    OtaChunkServer,
    OtaStatusIntake,
    RolloutsRepository,
    GateEvidence,
    RollbackRollout,
    RolloutsService,
    RolloutExecutor,
    RolloutScheduler,
    RolloutLease,
  ],
  controllers: [ModelsController, RolloutsController],
  exports: [ModelRegistryService, RolloutExecutor, RolloutsService],
})
export class OtaModule {}
