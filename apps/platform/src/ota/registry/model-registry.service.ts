import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { deviceRamBytes } from '@tinyfleet/artifact';
import { keyIdOf, verifyArtifactFiles } from '@tinyfleet/artifact/verify-node';
import { PROFILE_NAME } from '@tinyfleet/wire/schema';
import { createPublicKey, KeyObject } from 'node:crypto';
import { Repository } from 'typeorm';
import { ModelDetailDto, ModelVersionDto, TrustedKeyDto, TrustKeyDto, UploadModelDto } from '../dto/model.dto';
import { ArtifactSummary, ModelArtifactsRepository } from './model-artifacts.repository';
import { TrustedKey } from './trusted-key.entity';

/**
 * The model registry. An upload is accepted only if its signature verifies against a key the
 * operator trusts, every hash matches, and the OTA form decodes to the exact .tflite — the same
 * check `tinyfleet model verify` and the device make. Versions are immutable per model name.
 */
@Injectable()
export class ModelRegistryService {
  constructor(
    private readonly artifacts: ModelArtifactsRepository,
    @InjectRepository(TrustedKey) private readonly keys: Repository<TrustedKey>,
  ) {}

  async trustKey(dto: TrustKeyDto): Promise<TrustedKeyDto> {
    // createPublicKey() also accepts a private key (and derives its public half): a signing key sent
    // here by mistake would have been taken without a word, after it had already left the signer.
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(dto.publicKeyPem))
      throw new BadRequestException(
        'this is a private key: send only the public key (SPKI PEM); keep the private one with the signer',
      );
    let key: KeyObject;
    try {
      key = createPublicKey(dto.publicKeyPem);
    } catch (err) {
      throw new BadRequestException(`not a public key in PEM form: ${(err as Error).message}`);
    }
    if (key.asymmetricKeyType !== 'ed25519')
      throw new BadRequestException(`an Ed25519 key is required, got ${key.asymmetricKeyType}`);
    const keyId = keyIdOf(key);
    const existing = await this.keys.findOneBy({ keyId });
    if (existing) return toKeyDto(existing);
    const saved = await this.keys.save(
      this.keys.create({ keyId, name: dto.name, publicKeyPem: key.export({ format: 'pem', type: 'spki' }).toString() }),
    );
    return toKeyDto(saved);
  }

  async listKeys(): Promise<TrustedKeyDto[]> {
    return (await this.keys.find({ order: { createdAt: 'ASC' } })).map(toKeyDto);
  }

  async upload(dto: UploadModelDto): Promise<ModelDetailDto> {
    const trusted = new Map((await this.keys.find()).map((k) => [k.keyId, createPublicKey(k.publicKeyPem)]));
    const model = Buffer.from(dto.model, 'base64');
    const ota = dto.ota ? Buffer.from(dto.ota, 'base64') : null;
    const result = verifyArtifactFiles(
      { manifest: Buffer.from(dto.manifest, 'utf8'), signature: Buffer.from(dto.signature, 'utf8'), model, ota },
      trusted,
    );
    if (!result.ok) throw new BadRequestException(`artifact refused: ${result.reason}`);
    const { manifest, keyId, deviceManifest } = result;
    // The name is the modelId of every OTA offer and status (profile-name on the wire): a name outside it
    // registered fine and then could never be offered to a device.
    if (!PROFILE_NAME.test(manifest.name))
      throw new BadRequestException(
        `artifact refused: model name ${JSON.stringify(manifest.name)} cannot be sent to devices (profile-name: 1-32 lower-case letters, digits or dashes; docs/protocol.md §3.4)`,
      );
    if (await this.artifacts.exists(manifest.name, manifest.version)) {
      throw new ConflictException(
        `${manifest.name} ${manifest.version} is already registered; versions are immutable, build a new one`,
      );
    }
    const signature = (JSON.parse(dto.signature) as { signature: string }).signature;
    const saved = await this.artifacts.insert({
      name: manifest.name,
      version: manifest.version,
      sha256: manifest.model.sha256,
      modelBytes: model,
      otaBytes: ota,
      manifestText: dto.manifest,
      deviceManifest: Buffer.from(deviceManifest),
      manifest,
      signature,
      keyId,
    });
    return toDetail(saved);
  }

  async list(name?: string): Promise<ModelVersionDto[]> {
    return (await this.artifacts.summaries(name)).map(toVersion);
  }

  async get(name: string, version: string): Promise<ModelDetailDto> {
    const a = await this.artifacts.summary(name, version);
    if (!a) throw new NotFoundException(`model ${name} ${version} not found`);
    return toDetail(a);
  }
}

function toKeyDto(k: TrustedKey): TrustedKeyDto {
  return { keyId: k.keyId, name: k.name, createdAt: k.createdAt.toISOString() };
}

function toVersion(a: ArtifactSummary): ModelVersionDto {
  const m = a.manifest;
  return {
    id: a.id,
    name: a.name,
    version: a.version,
    sha256: a.sha256,
    keyId: a.keyId,
    sizes: {
      tfliteBytes: m.model.bytes,
      otaBytes: m.ota?.bytes ?? null,
      float32TfliteBytes: m.sizes?.float32TfliteBytes ?? null,
    },
    arenaBytes: m.arenaBytes,
    ramBytes: deviceRamBytes(m),
    memory: m.memory ?? null,
    flashBytes: m.flashBytes,
    macs: m.macs,
    ops: m.ops,
    labels: m.labels,
    metrics: m.metrics,
    minInterpreterVersion: m.minInterpreterVersion,
    createdAt: a.createdAt.toISOString(),
  };
}

function toDetail(a: ArtifactSummary): ModelDetailDto {
  return { ...toVersion(a), manifest: a.manifest };
}
