import { BadRequestException } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { CredentialHasher } from '../common/credential-hasher';
import { PlatformEvents } from '../common/platform-events';
import type { Claim } from './claim.entity';
import { ClaimsService } from './claims.service';
import type { ProvisioningAttempt } from './provisioning-attempt.entity';

/** A claim limited to an MCU profile no device can register with is refused when it is created. */
describe('ClaimsService.create', () => {
  const inserted: Partial<Claim>[] = [];
  const claims = {
    create: (c: Partial<Claim>) => ({ ...c, createdAt: new Date(0) }),
    insert: async (c: Partial<Claim>) => void inserted.push(c),
  } as unknown as Repository<Claim>;
  const service = new ClaimsService(
    claims,
    {} as Repository<ProvisioningAttempt>,
    new PlatformEvents(),
    new CredentialHasher({ id: 'test', bytes: Buffer.alloc(32, 7) }),
  );
  beforeEach(() => (inserted.length = 0));

  it('refuses an unknown MCU profile, naming the known ones, and stores nothing', async () => {
    await expect(service.create({ name: 'x', mcuProfile: 'nosuchmcu' })).rejects.toThrow(BadRequestException);
    await expect(service.create({ name: 'x', mcuProfile: 'nosuchmcu' })).rejects.toThrow(
      /unknown MCU profile "nosuchmcu"; known: nrf52840, .*atmega328p/,
    );
    expect(inserted).toEqual([]);
  });

  it('creates a claim for a known MCU profile', async () => {
    const created = await service.create({ name: 'x', mcuProfile: 'nrf52840' });
    expect(created.mcuProfile).toBe('nrf52840');
    expect(inserted).toHaveLength(1);
  });
});
