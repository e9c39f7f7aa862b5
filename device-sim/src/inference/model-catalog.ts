import type { DeviceManifest } from '@tinyfleet/artifact';
import * as path from 'node:path';
import {
  artifactFromDeviceManifest,
  findCachedArtifact,
  loadPersonDetectArtifact,
  ModelArtifact,
} from './model-artifact';
import { SharedModel } from './shared-model';

/**
 * The models available to the nodes of one worker, one SharedModel per artifact. Pipeline artifacts
 * come from the model cache (`.tinyfleet/models/<recipe>/…/manifest.json`); the doorbell falls back to
 * TFLM's person_detect reference model until a doorbell artifact exists. `refresh()` picks up
 * artifacts built while the fleet runs.
 */
export class ModelCatalog {
  private readonly models = new Map<string, SharedModel>();
  /** Models received over the air, by sha256 hex: one interpreter per worker however many nodes install it. */
  private readonly received = new Map<string, SharedModel>();
  /** Why a recipe has no model (not built yet, or failed to load). */
  readonly missing = new Map<string, string>();

  constructor(private readonly opts: { dataDir: string; modelCacheDir: string; recipes: readonly string[] }) {
    this.refresh();
  }

  get(recipe: string): SharedModel | undefined {
    return this.models.get(recipe);
  }

  all(): SharedModel[] {
    return [...new Set([...this.models.values(), ...this.received.values()])];
  }

  /** The shared model for bytes a node received over the air (already verified by its OTA agent). */
  intern(bytes: Uint8Array, manifest: DeviceManifest, deviceChannels: readonly string[]): SharedModel {
    const sha = Buffer.from(manifest.modelSha256).toString('hex');
    const known =
      this.received.get(sha) ??
      [...this.models.values()].find((m) => Buffer.from(m.artifact.sha256).toString('hex') === sha);
    if (known) return known;
    const source = `ota:${manifest.modelId}@${manifest.modelVersion}`;
    const model = new SharedModel(artifactFromDeviceManifest(bytes, manifest, source, { deviceChannels }));
    this.received.set(sha, model);
    return model;
  }

  /** Look for new or newer artifacts; returns the recipes whose model changed. */
  refresh(): string[] {
    const changed: string[] = [];
    for (const recipe of this.opts.recipes) {
      let art: ModelArtifact | undefined;
      try {
        art = findCachedArtifact(this.opts.modelCacheDir, recipe);
        if (!art && recipe === 'doorbell') {
          if (this.models.has(recipe)) continue; // already running the reference model
          art = loadPersonDetectArtifact(this.opts.dataDir);
        }
      } catch (err) {
        this.missing.set(recipe, `artifact unusable: ${(err as Error).message}`);
        continue;
      }
      if (!art) {
        this.missing.set(
          recipe,
          `no artifact yet under ${path.join(this.opts.modelCacheDir, recipe)} (build: npx tinyfleet model build ${recipe} --quick)`,
        );
        continue;
      }
      const current = this.models.get(recipe);
      if (current && Buffer.from(current.artifact.sha256).equals(Buffer.from(art.sha256))) continue;
      try {
        this.models.set(recipe, new SharedModel(art));
        this.missing.delete(recipe);
        changed.push(recipe);
      } catch (err) {
        this.missing.set(recipe, `artifact unusable: ${(err as Error).message}`);
      }
    }
    return changed;
  }
}
