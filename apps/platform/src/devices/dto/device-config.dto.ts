import { ApiProperty } from '@nestjs/swagger';
import { EVENT_POLICIES, EventPolicy, MAX_REPORT_INTERVAL_S } from '@tinyfleet/wire';
import { IsIn, IsInt, Max, Min } from 'class-validator';

/** DeviceConfigV1 as the operator sets it; sent to the device on `down/config`. */
export class DeviceConfigDto {
  @ApiProperty({
    minimum: 1,
    maximum: MAX_REPORT_INTERVAL_S,
    example: 3600,
    description: 'Seconds between status heartbeats (device clock)',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_REPORT_INTERVAL_S)
  statusIntervalS!: number;

  @ApiProperty({
    minimum: 1,
    maximum: MAX_REPORT_INTERVAL_S,
    example: 900,
    description: 'Seconds between energy ledger snapshots',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_REPORT_INTERVAL_S)
  energyIntervalS!: number;

  @ApiProperty({
    enum: EVENT_POLICIES,
    description:
      'on-change: send when the class changes; every: every inference; threshold: when the score crosses scoreThresholdQ',
  })
  @IsIn(EVENT_POLICIES)
  eventPolicy!: EventPolicy;

  @ApiProperty({
    minimum: -128,
    maximum: 127,
    example: 0,
    description: 'Quantized int8 score threshold for the threshold policy',
  })
  @IsInt()
  @Min(-128)
  @Max(127)
  scoreThresholdQ!: number;
}

export class DeviceConfigStateDto extends DeviceConfigDto {
  @ApiProperty({ description: 'false when these are the platform defaults' }) custom!: boolean;
}
