import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { MCU_PROFILES } from '@tinyfleet/energy';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CredentialHasher, generateId, generateSecret } from '../common/credential-hasher';
import { PlatformEvents } from '../common/platform-events';
import { Claim } from './claim.entity';
import { ClaimDetailDto, ClaimDto, CreateClaimDto, CreatedClaimDto, UpdateClaimDto } from './dto/claim.dto';
import { ProvisioningAttempt } from './provisioning-attempt.entity';

export type ClaimState = ClaimDto['state'];

/** Why a claim cannot be used now, or null when it can. */
export function claimState(claim: Pick<Claim, 'revokedAt' | 'expiresAt' | 'maxUses' | 'uses'>, now: Date): ClaimState {
  if (claim.revokedAt) return 'revoked';
  if (claim.expiresAt && claim.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (claim.maxUses !== null && claim.uses >= claim.maxUses) return 'exhausted';
  return 'active';
}

@Injectable()
export class ClaimsService {
  constructor(
    @InjectRepository(Claim) private readonly claims: Repository<Claim>,
    @InjectRepository(ProvisioningAttempt) private readonly attempts: Repository<ProvisioningAttempt>,
    private readonly events: PlatformEvents,
    private readonly hasher: CredentialHasher,
  ) {}

  async create(dto: CreateClaimDto, now = new Date()): Promise<CreatedClaimDto> {
    // Registration refuses a device whose MCU profile is unknown, so a claim restricted to one could
    // never be used, and nothing said why.
    if (dto.mcuProfile && !(dto.mcuProfile in MCU_PROFILES))
      throw new BadRequestException(
        `unknown MCU profile ${JSON.stringify(dto.mcuProfile)}; known: ${Object.keys(MCU_PROFILES).join(', ')}`,
      );
    const secret = generateSecret();
    const claim = this.claims.create({
      id: generateId('clm'),
      name: dto.name,
      secretHash: this.hasher.hash(secret),
      groupName: dto.group ?? null,
      mcuProfile: dto.mcuProfile ?? null,
      sensorStream: dto.sensorStream ?? null,
      maxUses: dto.maxUses ?? null,
      uses: 0,
      expiresAt: dto.ttlS ? new Date(now.getTime() + dto.ttlS * 1000) : null,
      revokedAt: null,
      reregistrationPolicy: dto.reregistrationPolicy ?? 'replace',
      rateLimitPerMinute: dto.rateLimitPerMinute ?? 600,
      tags: dto.tags ?? [],
    });
    await this.claims.insert(claim);
    this.events.emit('credentials-changed');
    return { ...this.map(claim, now), secret };
  }

  async list(): Promise<ClaimDto[]> {
    const now = new Date();
    return (await this.claims.find({ order: { createdAt: 'DESC' } })).map((c) => this.map(c, now));
  }

  async get(id: string): Promise<ClaimDetailDto> {
    const claim = await this.findOrThrow(id);
    const attempts = await this.attempts.find({ where: { claimId: id }, order: { id: 'DESC' }, take: 50 });
    return {
      ...this.map(claim, new Date()),
      recentAttempts: attempts.map((a) => ({
        hardwareId: a.hardwareId,
        outcome: a.outcome,
        reason: a.reason,
        deviceId: a.deviceId,
        at: a.createdAt.toISOString(),
      })),
    };
  }

  async update(id: string, dto: UpdateClaimDto): Promise<ClaimDto> {
    const claim = await this.findOrThrow(id);
    if (dto.revoked) claim.revokedAt = claim.revokedAt ?? new Date();
    if (dto.maxUses !== undefined) claim.maxUses = dto.maxUses;
    if (dto.expiresAt !== undefined) claim.expiresAt = new Date(dto.expiresAt);
    if (dto.reregistrationPolicy !== undefined) claim.reregistrationPolicy = dto.reregistrationPolicy;
    if (dto.rateLimitPerMinute !== undefined) claim.rateLimitPerMinute = dto.rateLimitPerMinute;
    await this.claims.save(claim);
    this.events.emit('credentials-changed');
    return this.map(claim, new Date());
  }

  async remove(id: string): Promise<void> {
    const res = await this.claims.delete({ id });
    if (!res.affected) throw new NotFoundException(`claim ${id} not found`);
    this.events.emit('credentials-changed');
  }

  private async findOrThrow(id: string): Promise<Claim> {
    const claim = await this.claims.findOneBy({ id });
    if (!claim) throw new NotFoundException(`claim ${id} not found`);
    return claim;
  }

  private map(c: Claim, now: Date): ClaimDto {
    return {
      id: c.id,
      name: c.name,
      maxUses: c.maxUses,
      uses: c.uses,
      expiresAt: c.expiresAt?.toISOString() ?? null,
      revokedAt: c.revokedAt?.toISOString() ?? null,
      mcuProfile: c.mcuProfile,
      sensorStream: c.sensorStream,
      group: c.groupName,
      reregistrationPolicy: c.reregistrationPolicy,
      rateLimitPerMinute: c.rateLimitPerMinute,
      tags: c.tags,
      state: claimState(c, now),
      createdAt: c.createdAt.toISOString(),
    };
  }
}
