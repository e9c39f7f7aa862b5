import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { REREGISTRATION_POLICIES, ReregistrationPolicy } from '../claim.entity';

const PROFILE = /^[a-z0-9][a-z0-9-]{0,31}$/;

export class CreateClaimDto {
  @ApiProperty({ example: 'greenhouse batch 7', description: 'What the operator calls this claim' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ example: 100, description: 'How many devices may register with it; unlimited when omitted' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxUses?: number;

  @ApiPropertyOptional({ example: 86400, description: 'Lifetime in seconds from now; never expires when omitted' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10 * 365 * 86400)
  ttlS?: number;

  @ApiPropertyOptional({ example: 'nrf52840', description: 'Only devices reporting this MCU profile may use it' })
  @IsOptional()
  @Matches(PROFILE)
  mcuProfile?: string;

  @ApiPropertyOptional({ example: 'soil', description: 'Only devices with this sensor stream may use it' })
  @IsOptional()
  @Matches(PROFILE)
  sensorStream?: string;

  @ApiPropertyOptional({
    example: 'greenhouse',
    description:
      'Claims of one group may re-register each other’s devices (under the registering claim’s policy); a device registered without a group is bound to its own claim',
  })
  @IsOptional()
  @Matches(PROFILE)
  group?: string;

  @ApiPropertyOptional({
    enum: REREGISTRATION_POLICIES,
    default: 'replace',
    description:
      'When a known hardware id registers again: reuse its identity and secret, replace its secret, or refuse',
  })
  @IsOptional()
  @IsIn(REREGISTRATION_POLICIES)
  reregistrationPolicy?: ReregistrationPolicy;

  @ApiPropertyOptional({
    example: 600,
    default: 600,
    description: 'Registrations per minute allowed through this claim',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  rateLimitPerMinute?: number;

  @ApiPropertyOptional({ type: [String], description: 'Tags given to every device registered with this claim' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @Matches(PROFILE, { each: true })
  tags?: string[];
}

export class UpdateClaimDto {
  @ApiPropertyOptional({ description: 'Set true to revoke: no further registrations' })
  @IsOptional()
  @IsIn([true])
  revoked?: true;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxUses?: number;

  @ApiPropertyOptional({ description: 'New expiry (ISO 8601)' })
  @IsOptional()
  @IsISO8601()
  expiresAt?: string;

  @ApiPropertyOptional({ enum: REREGISTRATION_POLICIES })
  @IsOptional()
  @IsIn(REREGISTRATION_POLICIES)
  reregistrationPolicy?: ReregistrationPolicy;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  rateLimitPerMinute?: number;
}

export class ClaimDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: Number }) maxUses!: number | null;
  @ApiProperty() uses!: number;
  @ApiProperty({ nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) mcuProfile!: string | null;
  @ApiProperty({ nullable: true, type: String }) sensorStream!: string | null;
  @ApiProperty({ nullable: true, type: String }) group!: string | null;
  @ApiProperty({ enum: REREGISTRATION_POLICIES }) reregistrationPolicy!: ReregistrationPolicy;
  @ApiProperty() rateLimitPerMinute!: number;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ enum: ['active', 'expired', 'exhausted', 'revoked'] }) state!:
    'active' | 'expired' | 'exhausted' | 'revoked';
  @ApiProperty() createdAt!: string;
}

export class CreatedClaimDto extends ClaimDto {
  @ApiProperty({
    description:
      'The claim secret. Shown once, never again: the platform keeps only a hash. Devices connect with username = claim id, password = this.',
  })
  secret!: string;
}

export class ProvisioningAttemptDto {
  @ApiProperty({ nullable: true, type: String, description: 'null when the request could not be read' })
  hardwareId!: string | null;
  @ApiProperty() outcome!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String }) deviceId!: string | null;
  @ApiProperty() at!: string;
}

export class ClaimDetailDto extends ClaimDto {
  @ApiProperty({ type: [ProvisioningAttemptDto], description: 'The 50 most recent registration attempts' })
  recentAttempts!: ProvisioningAttemptDto[];
}
