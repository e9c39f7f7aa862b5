import { BadRequestException } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import type { Repository } from 'typeorm';
import type { ModelArtifactsRepository } from './model-artifacts.repository';
import { ModelRegistryService } from './model-registry.service';
import type { TrustedKey } from './trusted-key.entity';

/** POST /api/keys takes public keys only: a private PEM is refused, never stored or derived from. */
describe('ModelRegistryService.trustKey', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const saved: Partial<TrustedKey>[] = [];
  const keys = {
    findOneBy: async () => null,
    create: (k: Partial<TrustedKey>) => k,
    save: async (k: Partial<TrustedKey>) => {
      saved.push(k);
      return { ...k, createdAt: new Date(0) };
    },
  } as unknown as Repository<TrustedKey>;
  const service = new ModelRegistryService({} as ModelArtifactsRepository, keys);

  beforeEach(() => (saved.length = 0));

  it('refuses a PKCS#8 private key and stores nothing', async () => {
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await expect(service.trustKey({ name: 'oops', publicKeyPem: pem })).rejects.toThrow(BadRequestException);
    await expect(service.trustKey({ name: 'oops', publicKeyPem: pem })).rejects.toThrow(/private key/);
    expect(saved).toEqual([]);
  });

  it('stores the public key of an SPKI PEM', async () => {
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const dto = await service.trustKey({ name: 'release', publicKeyPem: pem });
    expect(dto.name).toBe('release');
    expect(saved).toHaveLength(1);
    expect(saved[0]!.publicKeyPem).toBe(pem);
  });
});
