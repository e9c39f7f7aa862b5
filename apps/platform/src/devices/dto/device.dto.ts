import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { DeviceConnectivity } from '../device.entity';
import { DEVICE_LIFECYCLES, DEVICE_OPERATOR_ACTIONS, DeviceLifecycle, DeviceOperatorAction } from '../device-lifecycle';

const SORTS = ['id', 'lastSeenAt', 'createdAt', 'eventsCount'] as const;

export class ListDevicesQueryDto {
  @ApiPropertyOptional({ example: 'soil' }) @IsOptional() @Matches(/^[a-z0-9-]{1,32}$/) stream?: string;
  @ApiPropertyOptional({ example: 'nrf52840' }) @IsOptional() @Matches(/^[a-z0-9-]{1,32}$/) mcuProfile?: string;
  @ApiPropertyOptional({ enum: DEVICE_LIFECYCLES }) @IsOptional() @IsIn(DEVICE_LIFECYCLES) lifecycle?: DeviceLifecycle;
  @ApiPropertyOptional({ enum: ['ONLINE', 'OFFLINE'] })
  @IsOptional()
  @IsIn(['ONLINE', 'OFFLINE'])
  connectivity?: DeviceConnectivity;
  @ApiPropertyOptional({ description: 'Substring of the device id or hardware id' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  q?: string;
  @ApiPropertyOptional({ enum: SORTS, default: 'id' }) @IsOptional() @IsIn(SORTS) sort?: (typeof SORTS)[number];
  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' }) @IsOptional() @IsIn(['asc', 'desc']) order?:
    'asc' | 'desc';
  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
}

export class ListEventsQueryDto {
  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
  @ApiPropertyOptional({ description: 'Only events with a sequence number below this (paging backwards)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  beforeSeq?: number;
}

export class DeviceDto {
  @ApiProperty() id!: string;
  @ApiProperty() hardwareId!: string;
  @ApiProperty({ nullable: true, type: String }) claimId!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Which claims may register this hardware id again: `group:<name>` or `claim:<id>`; null once released for any claim',
  })
  provisioningScope!: string | null;
  @ApiProperty() mcuProfile!: string;
  @ApiProperty() radioProfile!: string;
  @ApiProperty() sensorStream!: string;
  @ApiProperty() firmwareVersion!: string;
  @ApiProperty() interpreterVersion!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ enum: DEVICE_LIFECYCLES }) lifecycle!: DeviceLifecycle;
  @ApiProperty({
    enum: Object.keys(DEVICE_OPERATOR_ACTIONS),
    isArray: true,
    description: 'The operator actions its lifecycle allows now (POST /api/devices/:id/<action>)',
  })
  allowedActions!: DeviceOperatorAction[];
  @ApiProperty({ enum: ['ONLINE', 'OFFLINE'] }) connectivity!: DeviceConnectivity;
  @ApiProperty({ description: 'Inference events stored (each once)' }) eventsCount!: number;
  @ApiProperty({ nullable: true, type: Number }) lastEventSeq!: number | null;
  @ApiProperty({ nullable: true, type: String }) lastEventAt!: string | null;
  @ApiProperty({ description: 'Messages from this device refused (malformed, oversized, schema)' })
  rejectedCount!: number;
  @ApiProperty({ nullable: true, type: String }) lastSeenAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'When the platform stored the last status heartbeat (rollout targeting reads the active model from it)',
  })
  lastStatusAt!: string | null;
  @ApiProperty() createdAt!: string;
}

export class DeviceOpDto {
  @ApiProperty({ example: 'SOFTMAX' }) op!: string;
  @ApiProperty({
    nullable: true,
    type: [String],
    example: ['int8'],
    description: 'Types the firmware registered the op for; null: every type the kernel has',
  })
  types!: string[] | null;
}

/** The device's latest up/capabilities, as admission uses it. */
export class DeviceCapabilitiesDto {
  @ApiProperty({ example: 'ops-3f09c2a1b7de', description: 'sha-256 prefix of the canonical op-set bytes' })
  opSetId!: string;
  @ApiProperty({ type: [DeviceOpDto] }) ops!: DeviceOpDto[];
  @ApiProperty({
    type: [Number],
    description: 'Op codes newer than this platform (named by number; no model built here needs them)',
  })
  unknownOpCodes!: number[];
  @ApiProperty({ description: 'When the platform stored the report' }) reportedAt!: string;
}

export class DeviceDetailDto extends DeviceDto {
  @ApiProperty({
    nullable: true,
    type: Object,
    description: 'Last status heartbeat: firmware, model slots, battery, uptime',
  })
  lastStatus!: Record<string, unknown> | null;
  @ApiProperty({
    nullable: true,
    type: DeviceCapabilitiesDto,
    description: 'null: the device never reported its op set (admission then checks the platform op list only)',
  })
  capabilities!: DeviceCapabilitiesDto | null;
}

export class DevicePageDto {
  @ApiProperty({ type: [DeviceDto] }) items!: DeviceDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class DeviceEventDto {
  @ApiProperty() seq!: number;
  @ApiProperty({ description: 'Device clock' }) deviceTime!: string;
  @ApiProperty() receivedAt!: string;
  @ApiProperty({ description: 'First 4 bytes of the model sha256, as an unsigned integer' }) modelTag!: number;
  @ApiProperty({ nullable: true, type: String }) modelId!: string | null;
  @ApiProperty({ nullable: true, type: String }) modelVersion!: string | null;
  @ApiProperty() label!: number;
  @ApiProperty({ description: 'Quantized int8 score of that label' }) scoreQ!: number;
  @ApiProperty() latencyUs!: number;
  @ApiProperty() energyUj!: number;
}
