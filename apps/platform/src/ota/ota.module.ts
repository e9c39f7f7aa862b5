import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DevicesModule } from '../devices/devices.module';
import { OtaDeliveryService } from './jobs/ota-delivery.service';
import { OtaDispatcher } from './jobs/ota-dispatcher.port';
import { OtaJobEvent } from './jobs/ota-job-event.entity';
import { OtaJob } from './jobs/ota-job.entity';
import { OtaJobsRepository } from './jobs/ota-jobs.repository';
import { ModelArtifact } from './registry/model-artifact.entity';
import { ModelRegistryService } from './registry/model-registry.service';
import { ModelsController } from './registry/models.controller';
import { TrustedKey } from './registry/trusted-key.entity';
import { RolloutExecutor } from './rollouts/rollout-executor';
import { RolloutGroup } from './rollouts/rollout-group.entity';
import { RolloutScheduler } from './rollouts/rollout-scheduler.service';
import { Rollout } from './rollouts/rollout.entity';
import { RolloutsController } from './rollouts/rollouts.controller';
import { RolloutsService } from './rollouts/rollouts.service';

/** Model registry, rollouts and OTA delivery over MQTT. */
@Module({
  imports: [
    TypeOrmModule.forFeature([TrustedKey, ModelArtifact, Rollout, RolloutGroup, OtaJob, OtaJobEvent]),
    DevicesModule,
  ],
  providers: [
    ModelRegistryService,
    OtaJobsRepository,
    OtaDeliveryService,
    { provide: OtaDispatcher, useExisting: OtaDeliveryService },
    RolloutsService,
    RolloutExecutor,
    RolloutScheduler,
  ],
  controllers: [ModelsController, RolloutsController],
  exports: [ModelRegistryService, RolloutExecutor, RolloutsService],
})
export class OtaModule {}
