import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import type { GateVerdict, HealthGates } from '../rollouts/health-gates';
import type { RolloutPacing } from '../rollouts/pacing';
import type { RolloutTarget } from '../rollouts/rollout.entity';
import { ROLLOUT_OPERATOR_ACTIONS, RolloutGroupState, RolloutOperatorAction } from '../rollouts/rollout.state-machine';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class ModelRefDto {
  @ApiProperty({ example: 'gas-ethylene' }) @IsString() @Matches(ID) name!: string;
  @ApiProperty({ example: '2.0.0' }) @IsString() @MaxLength(32) version!: string;
}

export class RolloutTargetDto {
  @ApiPropertyOptional({ example: 'gas' }) @IsOptional() @Matches(ID) stream?: string;
  @ApiPropertyOptional({ example: 'stm32l4r5' }) @IsOptional() @Matches(ID) mcuProfile?: string;
  @ApiPropertyOptional({ example: 'nrf52840-ble-1m' }) @IsOptional() @Matches(ID) radioProfile?: string;
  @ApiPropertyOptional({ type: [String], description: 'devices having all these tags' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @Matches(ID, { each: true })
  tags?: string[];
  @ApiPropertyOptional({ description: 'only devices whose active slot runs this model' })
  @IsOptional()
  @Matches(ID)
  currentModelId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) currentModelVersion?: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100_000)
  @Matches(ID, { each: true })
  deviceIds?: string[];
}

export class RolloutGroupSpecDto {
  @ApiPropertyOptional({ description: 'share of the target devices (the last group takes the rest)' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  percent?: number;
  @ApiPropertyOptional({ description: 'or a number of devices' }) @IsOptional() @IsInt() @Min(0) count?: number;
  @ApiPropertyOptional({ default: 100 }) @IsOptional() @IsInt() @Min(1) @Max(100) successThresholdPct?: number;
  @ApiPropertyOptional({ default: 20 }) @IsOptional() @IsInt() @Min(1) @Max(100) errorThresholdPct?: number;
}

export class RolloutRateDto {
  @ApiProperty({ enum: ['constant', 'exponential'] }) @IsIn(['constant', 'exponential']) type!:
    'constant' | 'exponential';
  @ApiPropertyOptional({ description: 'constant: devices notified per minute' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  perMinute?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(1_000_000) basePerMinute?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(1.01) @Max(10) incrementFactor?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) everyNotified?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(1_000_000) maxPerMinute?: number;
}

export class HealthGatesDto {
  @ApiPropertyOptional({ default: 3 }) @IsOptional() @IsInt() @Min(1) minDevicesPerSide?: number;
  @ApiPropertyOptional({ description: 'seconds a group runs before it is judged' })
  @IsOptional()
  @IsInt()
  @Min(0)
  soakS?: number;
  @ApiPropertyOptional({ default: 3600 }) @IsOptional() @IsInt() @Min(0) maxWaitS?: number;
  @ApiPropertyOptional({ example: 0.5 }) @IsOptional() @IsNumber() @Min(0) maxEventRateChange?: number;
  @ApiPropertyOptional({ example: 20 }) @IsOptional() @IsNumber() @Min(0) maxScoreShiftQ?: number;
  @ApiPropertyOptional({ example: 1.5 }) @IsOptional() @IsNumber() @Min(1) maxEnergyPerInferenceRatio?: number;
  @ApiPropertyOptional({
    example: 5,
    description:
      "percentage points the updated devices' on-device accuracy (up/accuracy) may fall below the control devices'",
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  maxAccuracyDropPct?: number;
  @ApiPropertyOptional({
    default: 30,
    description: 'inferences checked against ground truth each side needs before accuracy is judged',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  minAccuracyInferences?: number;
  @ApiPropertyOptional({
    example: 0.25,
    description:
      "drift gate (no ground truth): largest class-mix PSI of the new model's up/summary signals against its reference (manifest.monitoring, else the control side); score-histogram and input-shift thresholds of libs/drift apply with it",
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(10)
  maxDriftPsi?: number;
  @ApiPropertyOptional({
    default: 200,
    description: "inferences the updated side's summaries need before drift is judged",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  minDriftInferences?: number;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() autoRollback?: boolean;
}

export class CreateRolloutDto {
  @ApiProperty({ example: 'ethylene v2 to the gas fleet' }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ type: ModelRefDto }) @ValidateNested() @Type(() => ModelRefDto) model!: ModelRefDto;
  @ApiProperty({ type: RolloutTargetDto }) @ValidateNested() @Type(() => RolloutTargetDto) target!: RolloutTargetDto;
  @ApiProperty({ type: [RolloutGroupSpecDto], example: [{ count: 2 }, { percent: 50 }, { percent: 50 }] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RolloutGroupSpecDto)
  groups!: RolloutGroupSpecDto[];
  @ApiPropertyOptional({ type: RolloutRateDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RolloutRateDto)
  rate?: RolloutRateDto;
  @ApiPropertyOptional({ default: 600 }) @IsOptional() @IsInt() @Min(1) @Max(7 * 86400) jobTimeoutS?: number;
  @ApiPropertyOptional({ default: 3 }) @IsOptional() @IsInt() @Min(1) @Max(10) maxAttempts?: number;
  @ApiPropertyOptional({ type: HealthGatesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => HealthGatesDto)
  gates?: HealthGatesDto;
  @ApiPropertyOptional({ enum: ['pause', 'abort'], default: 'pause' })
  @IsOptional()
  @IsIn(['pause', 'abort'])
  errorAction?: 'pause' | 'abort';
  @ApiPropertyOptional({ default: true, description: 'start at once (else: POST /api/rollouts/:id/resume)' })
  @IsOptional()
  @IsBoolean()
  start?: boolean;
}

export class ResumeRolloutDto {
  @ApiPropertyOptional({ description: 'new success threshold for the current group (to accept what it reached)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  successThresholdPct?: number;
  @ApiPropertyOptional({ description: 'new error threshold for the current group (to continue despite failures)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  errorThresholdPct?: number;
}

export class RolloutGroupStatusDto {
  @ApiProperty() id!: number;
  @ApiProperty() index!: number;
  @ApiProperty() state!: RolloutGroupState;
  @ApiProperty() successThresholdPct!: number;
  @ApiProperty() errorThresholdPct!: number;
  @ApiProperty({ type: Object, description: 'jobs per state (skipped devices are listed on the rollout)' })
  jobs!: Record<string, number>;
  @ApiProperty({ description: 'jobs of this group' }) jobsTotal!: number;
  @ApiProperty({ description: 'jobs a device is working on (offered, downloading, verifying, applying)' })
  jobsInFlight!: number;
  @ApiProperty({ type: Object, nullable: true }) gateReadings!: unknown;
  @ApiProperty({
    type: Array,
    nullable: true,
    description: 'per gate, the verdict the executor reached on the readings (pass, fail, not-judged, off)',
  })
  gateVerdicts!: GateVerdict[] | null;
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
}

export class RolloutStatusDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() state!: string;
  @ApiProperty({ nullable: true, type: String }) stateReason!: string | null;
  @ApiProperty({
    enum: Object.keys(ROLLOUT_OPERATOR_ACTIONS),
    isArray: true,
    description: 'the operator commands its state allows now (POST /api/rollouts/:id/<action>)',
  })
  allowedActions!: RolloutOperatorAction[];
  @ApiProperty({ type: ModelRefDto }) model!: ModelRefDto;
  @ApiProperty({ nullable: true, type: Number }) rollbackOf!: number | null;
  @ApiProperty({ type: Object, description: 'which devices, as created' }) target!: RolloutTarget;
  @ApiProperty({ type: Object, description: 'groups, rate, job timeout and attempts, as created' })
  pacing!: RolloutPacing;
  @ApiProperty({ enum: ['pause', 'abort'] }) errorAction!: 'pause' | 'abort';
  @ApiProperty({ type: Object, description: 'the health gates as configured (defaults filled in)' })
  gates!: HealthGates;
  @ApiProperty({ type: [RolloutGroupStatusDto] }) groups!: RolloutGroupStatusDto[];
  @ApiProperty({ type: Array, description: 'devices left out before anything was sent, with the reason' })
  skipped!: Array<{ deviceId: string; reason: string }>;
  @ApiProperty() createdAt!: string;
}
