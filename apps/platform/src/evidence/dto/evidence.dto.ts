import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVIDENCE_MAX_WINDOWS, EVIDENCE_SELECTORS, type EvidenceSelector } from '@tinyfleet/wire';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

const UINT32_MAX = 0xffffffff;

/** POST /api/evidence/requests: ask a cohort for evidence (docs/protocol.md §12). */
export class CreateEvidenceRequestDto {
  @ApiPropertyOptional({
    description: 'The model, as name@version (registered); or give modelTag',
    example: 'gas-ethylene@1.0.0',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{0,31}@[0-9A-Za-z.+-]{1,64}$/)
  model?: string;

  @ApiPropertyOptional({ description: 'uint32 model tag (first 4 bytes of the .tflite sha256); or give model' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(UINT32_MAX)
  modelTag?: number;

  @ApiPropertyOptional({ description: 'Only devices replaying this sensor stream', example: 'gas-ethylene' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  stream?: string;

  @ApiPropertyOptional({ description: 'Only devices of this MCU profile' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  mcu?: string;

  @ApiPropertyOptional({ description: 'Only devices carrying this tag' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  tag?: string;

  @ApiPropertyOptional({ description: 'Only these devices', type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  deviceIds?: string[];

  @ApiProperty({
    enum: EVIDENCE_SELECTORS,
    description: 'Which windows: any, low-margin (< marginQ) or class (= label)',
  })
  @IsIn(EVIDENCE_SELECTORS)
  selector!: EvidenceSelector;

  @ApiPropertyOptional({ description: 'Class index for selector=class', minimum: 0, maximum: 255 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(255)
  label?: number;

  @ApiPropertyOptional({
    description: 'Low-margin threshold, int8 steps, for selector=low-margin',
    minimum: 1,
    maximum: 255,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(255)
  marginQ?: number;

  @ApiProperty({ minimum: 1, maximum: EVIDENCE_MAX_WINDOWS, example: 4 })
  @IsInt()
  @Min(1)
  @Max(EVIDENCE_MAX_WINDOWS)
  maxWindows!: number;

  @ApiProperty({ description: 'Most window-blob bytes per device for this request', minimum: 1, example: 16384 })
  @IsInt()
  @Min(1)
  @Max(UINT32_MAX)
  maxBytes!: number;

  @ApiPropertyOptional({
    description:
      "Sets each device's evidence budget, bytes per UTC day (0 = off; the doorbell's default); absent = keep",
    minimum: 0,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(UINT32_MAX)
  dailyBudgetBytes?: number;

  @ApiPropertyOptional({ description: 'Seconds (device clock) the devices have to answer', default: 3600, minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365 * 86_400)
  deadlineS?: number;

  @ApiPropertyOptional({ description: 'Days the windows are kept (default: EVIDENCE_RETENTION_DAYS)', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  retentionDays?: number;
}

export class EvidenceRequestDeviceDto {
  @ApiProperty() deviceId!: string;
  @ApiProperty({ enum: ['requested', 'accepted', 'declined', 'done'] }) state!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Why it declined or stopped early' }) reason!:
    string | null;
  @ApiProperty() windowCount!: number;
  @ApiProperty() plannedBytes!: number;
  @ApiProperty({ description: 'Blob bytes of the windows verified and stored' }) receivedBytes!: number;
  @ApiProperty() windowsStored!: number;
  @ApiProperty() updatedAt!: string;
}

export class EvidenceRequestDto {
  @ApiProperty() id!: number;
  @ApiProperty() modelTag!: number;
  @ApiProperty({ nullable: true, type: String, description: 'name@version when registered' }) model!: string | null;
  @ApiProperty({ enum: EVIDENCE_SELECTORS }) selector!: string;
  @ApiProperty() label!: number;
  @ApiProperty() marginQ!: number;
  @ApiProperty() maxWindows!: number;
  @ApiProperty() maxBytes!: number;
  @ApiProperty({ nullable: true, type: Number }) dailyBudgetBytes!: number | null;
  @ApiProperty({ description: 'Platform clock' }) deadline!: string;
  @ApiProperty() retentionDays!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [EvidenceRequestDeviceDto] }) devices!: EvidenceRequestDeviceDto[];
}

export class ListEvidenceQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  requestId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  deviceId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(UINT32_MAX)
  modelTag?: number;

  @ApiPropertyOptional({ description: 'true: labelled only; false: unlabelled only' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  labelled?: boolean;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class EvidenceWindowDto {
  @ApiProperty() id!: number;
  @ApiProperty() requestId!: number;
  @ApiProperty() deviceId!: string;
  @ApiProperty() windowIndex!: number;
  @ApiProperty() modelTag!: number;
  @ApiProperty({ nullable: true, type: String }) model!: string | null;
  @ApiProperty({ description: 'Device clock of the inference' }) deviceTime!: string;
  @ApiProperty({ description: 'The class the model chose (index)' }) predicted!: number;
  @ApiProperty({ nullable: true, type: String, description: "That class's name, when the model is registered" })
  predictedLabel!: string | null;
  @ApiProperty() scoreQ!: number;
  @ApiProperty() marginQ!: number;
  @ApiProperty({ enum: ['f32le', 'u8'] }) format!: string;
  @ApiProperty() samples!: number;
  @ApiProperty() valuesPerSample!: number;
  @ApiProperty({ description: '0 = not an image' }) imageWidth!: number;
  @ApiProperty() blobBytes!: number;
  @ApiProperty() receivedAt!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ nullable: true, type: String, description: "The operator's label" }) operatorLabel!: string | null;
  @ApiProperty({ nullable: true, type: String }) labelledAt!: string | null;
}

export class EvidenceWindowDetailDto extends EvidenceWindowDto {
  @ApiProperty({ nullable: true, type: [String], description: "The model's class names (what a label may be)" })
  labels!: string[] | null;
  @ApiProperty({ nullable: true, type: [String], description: 'Names of the values of one sample, when known' })
  channels!: string[] | null;
  @ApiProperty({
    nullable: true,
    type: [Number],
    description:
      'Sensor windows: samples × valuesPerSample values, oldest sample first; null for images (see image.png)',
  })
  values!: number[] | null;
}

export class LabelEvidenceDto {
  @ApiProperty({ nullable: true, type: String, description: "One of the model's class names; null clears the label" })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  label!: string | null;
}

export class EvidenceExportQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  requestId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(UINT32_MAX)
  modelTag?: number;
}
