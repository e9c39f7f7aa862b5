import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';

const PROFILE = /^[a-z0-9][a-z0-9.-]{0,63}$/;

/** GET /api/drift: every part of the cohort is an optional filter. */
export class DriftQueryDto {
  @ApiPropertyOptional({ example: 'gas-ethylene' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._+-]{1,64}$/)
  model?: string;
  @ApiPropertyOptional({ example: '1.0.0' }) @IsOptional() @Matches(/^[A-Za-z0-9._+-]{1,32}$/) version?: string;
  @ApiPropertyOptional({ example: 'gas-ethylene' }) @IsOptional() @Matches(PROFILE) stream?: string;
  @ApiPropertyOptional({ example: 'nrf52840' }) @IsOptional() @Matches(PROFILE) mcu?: string;
  @ApiPropertyOptional({ example: 'nrf52840-ble-1m' }) @IsOptional() @Matches(PROFILE) radio?: string;
  @ApiPropertyOptional({ description: 'Only windows ending after this (ISO 8601, device time)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;
}
