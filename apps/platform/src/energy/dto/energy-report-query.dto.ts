import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';

export const REPORT_FORMATS = ['json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
const BATTERIES = ['cr2032', 'aa-alkaline-2s', 'li-socl2-aa'] as const;
const PROFILE = /^[a-z0-9][a-z0-9.-]{0,63}$/;

export class EnergyReportQueryDto {
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
  @ApiPropertyOptional({
    description: 'Start of the range (ISO 8601, device virtual time); intervals ending at or after it count',
    example: '2026-11-27T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;
  @ApiPropertyOptional({ description: 'End of the range (ISO 8601, exclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
  @ApiPropertyOptional({ example: 'soil' }) @IsOptional() @Matches(PROFILE) stream?: string;
  @ApiPropertyOptional({ example: 'nrf52840' }) @IsOptional() @Matches(PROFILE) mcuProfile?: string;
  @ApiPropertyOptional({ example: 'nrf52840-ble-1m' }) @IsOptional() @Matches(PROFILE) radioProfile?: string;
  @ApiPropertyOptional({
    description: 'Active model as `modelId@version`, or just the version',
    example: 'soil-moisture@1.0.0',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._@+-]{1,80}$/)
  modelVersion?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^[a-z0-9][a-z0-9-]{2,63}$/) deviceId?: string;
  @ApiPropertyOptional({
    enum: BATTERIES,
    description: 'Battery for every device (default: a `battery-<id>` device tag, else aa-alkaline-2s)',
  })
  @IsOptional()
  @IsIn(BATTERIES)
  battery?: (typeof BATTERIES)[number];
  @ApiPropertyOptional({
    enum: ['auto', 'hour', 'day'],
    default: 'auto',
    description: 'Time-series bucket; auto = day when the data spans more than 3 days',
  })
  @IsOptional()
  @IsIn(['auto', 'hour', 'day'])
  bucket?: 'auto' | 'hour' | 'day';
}
