import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { ArtifactManifest } from '@tinyfleet/artifact';
import { EntityManager } from 'typeorm';
import { ModelArtifact } from './model-artifact.entity';

/** The model facts a rollout is created from. */
export type RolloutArtifact = Pick<ModelArtifact, 'id' | 'name' | 'version' | 'sha256' | 'manifest' | 'deviceManifest'>;

/** What listings show of an artifact (no bytes). */
export type ArtifactSummary = Pick<
  ModelArtifact,
  'id' | 'name' | 'version' | 'sha256' | 'keyId' | 'manifest' | 'createdAt'
>;

const SUMMARY = {
  id: true,
  name: true,
  version: true,
  sha256: true,
  keyId: true,
  manifest: true,
  createdAt: true,
} as const;

/**
 * model_artifacts: the registry's writes (after it verified an upload) and the reads of listings,
 * rollouts and delivery. Artifacts
 * are immutable once registered — a name and version, and so a sha256, never change their bytes —
 * which is what lets delivery cache what it prepares from them in every process.
 */
@Injectable()
export class ModelArtifactsRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  exists(name: string, version: string): Promise<boolean> {
    return this.m.getRepository(ModelArtifact).existsBy({ name, version });
  }

  /** A verified artifact; name and version are unique (a second insert of the same pair fails). */
  insert(a: Omit<ModelArtifact, 'id' | 'createdAt'>): Promise<ModelArtifact> {
    const repo = this.m.getRepository(ModelArtifact);
    return repo.save(repo.create(a));
  }

  /** Every version (of one model name, when given), by name, newest first. */
  summaries(name?: string): Promise<ArtifactSummary[]> {
    return this.m.getRepository(ModelArtifact).find({
      where: name ? { name } : {},
      order: { name: 'ASC', createdAt: 'DESC' },
      select: SUMMARY,
    });
  }

  summary(name: string, version: string): Promise<ArtifactSummary | null> {
    return this.m.getRepository(ModelArtifact).findOne({ where: { name, version }, select: SUMMARY });
  }

  findForRollout(name: string, version: string): Promise<RolloutArtifact | null> {
    return this.m.getRepository(ModelArtifact).findOne({
      where: { name, version },
      select: { id: true, name: true, version: true, sha256: true, manifest: true, deviceManifest: true },
    });
  }

  async nameAndVersion(id: number): Promise<{ name: string; version: string } | null> {
    return this.m.getRepository(ModelArtifact).findOne({ where: { id }, select: { name: true, version: true } });
  }

  async sha256Of(id: number): Promise<string> {
    const a = await this.m.getRepository(ModelArtifact).findOneOrFail({ where: { id }, select: { sha256: true } });
    return a.sha256;
  }

  async manifestBySha256(sha256: string): Promise<ArtifactManifest | null> {
    const a = await this.m.getRepository(ModelArtifact).findOne({ where: { sha256 }, select: { manifest: true } });
    return a?.manifest ?? null;
  }

  /** The newest registered artifact with this model (a rollback's target). */
  latestBySha256(sha256: string): Promise<Pick<ModelArtifact, 'id' | 'name' | 'version'> | null> {
    return this.m.getRepository(ModelArtifact).findOne({
      where: { sha256 },
      select: { id: true, name: true, version: true },
      order: { createdAt: 'DESC' },
    });
  }

  /** Everything delivery sends: the bytes, the device manifest and the signature. */
  load(id: number): Promise<ModelArtifact> {
    return this.m.getRepository(ModelArtifact).findOneByOrFail({ id });
  }

  /** The .tflite bytes of a model the registry holds (a delta's base), or null. */
  async modelBytesBySha256(sha256: string): Promise<Buffer | null> {
    const a = await this.m
      .getRepository(ModelArtifact)
      .findOne({ where: { sha256 }, select: { id: true, modelBytes: true } });
    return a?.modelBytes ?? null;
  }
}
