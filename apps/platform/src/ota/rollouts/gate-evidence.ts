import { Inject, Injectable } from '@nestjs/common';
import { AccuracyReportsRepository } from '../../accuracy/accuracy-reports.repository';
import { accuracyDeltas, sumAccuracy } from '../../accuracy/accuracy-window';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DevicesRepository } from '../../devices/devices.repository';
import { referenceFromManifest, type DriftReference } from '../../drift/drift-reference';
import { DriftVerdictsRepository } from '../../drift/drift-verdicts.repository';
import { InferenceSummariesRepository } from '../../drift/inference-summaries.repository';
import { EventsRepository } from '../../ingest/events.repository';
import type { OtaJobState } from '../jobs/ota-job.state-machine';
import { OtaJobsRepository } from '../jobs/ota-jobs.repository';
import type { SideStats } from './health-gates';

/** A gate side: the devices of these groups whose job is in one of these states. */
export interface GateSide {
  groupIds: number[];
  jobStates: OtaJobState[];
}

/** Whose accuracy a gate side counts: given model tags (the new model's), or on each device the model it runs now. */
export type SideModels = { tags: number[] } | 'active-slot';

/**
 * What the health gates judge a side on, over [since, now] on the platform clock — the clock group
 * start times use (simulated devices may run a virtual clock far ahead of it): its devices'
 * events (rate, mean score, energy per inference), on-device accuracy and up/summary signals.
 */
@Injectable()
export class GateEvidence {
  constructor(
    private readonly jobs: OtaJobsRepository,
    private readonly events: EventsRepository,
    private readonly devices: DevicesRepository,
    private readonly accuracy: AccuracyReportsRepository,
    private readonly summaries: InferenceSummariesRepository,
    private readonly verdicts: DriftVerdictsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async side(side: GateSide, models: SideModels, since: Date, now: Date): Promise<SideStats> {
    const deviceIds = await this.jobs.deviceIdsIn(side.groupIds, side.jobStates);
    const ev = await this.events.statsSince(deviceIds, since);
    const deviceHours = (ev.devices * (now.getTime() - since.getTime())) / 3_600_000;
    const acc = await this.sideAccuracy(deviceIds, models, since, now);
    const summary = await this.sideSummary(deviceIds, models, since, now);
    return {
      devices: ev.devices,
      events: ev.events,
      deviceHours,
      eventsPerDeviceHour: deviceHours > 0 ? ev.events / deviceHours : null,
      meanScoreQ: ev.meanScoreQ,
      meanEnergyUj: ev.meanEnergyUj,
      accuracyInferences: acc.inferences,
      accuracyCorrect: acc.correct,
      accuracyPct: acc.accuracyPct,
      accuracyDevices: acc.devices,
      summary: summary.signals,
      summaryDevices: summary.devices,
    };
  }

  /**
   * The new model's shipped reference for the drift gate (null: it has none, or DRIFT_REFERENCE=first-window
   * says not to use it, so the control side or the updated side's own first window is the reference).
   */
  async driftReference(sha256: string): Promise<DriftReference | null> {
    if (this.config.drift.reference === 'first-window') return null;
    const m = await this.summaries.manifestReferenceBySha256(sha256);
    return m ? referenceFromManifest(m) : null;
  }

  /**
   * The updated side's own first window after install — its first summaries of the new model, in order
   * of arrival, holding `minInferences` — and what arrived after it (the drift gate's own reference).
   */
  async firstWindow(
    side: GateSide,
    models: SideModels,
    since: Date,
    now: Date,
    minInferences: number,
  ): Promise<Pick<SideStats, 'summaryFirstWindow' | 'summaryAfterFirstWindow'>> {
    const deviceIds = await this.jobs.deviceIdsIn(side.groupIds, side.jobStates);
    const split = await this.summaries.devicesWindowSplit(
      await this.tagByDevice(deviceIds, models),
      since,
      now,
      minInferences,
    );
    return {
      summaryFirstWindow: split.first?.signals ? { signals: split.first.signals, devices: split.first.devices } : null,
      summaryAfterFirstWindow: split.after.signals,
    };
  }

  /**
   * The cohorts of the model(s) these groups' devices ran before the rollout whose latest judged
   * drift verdict is `drift`, in words (the drift gate then judges the new model against itself).
   */
  async driftingOldModel(groupIds: number[]): Promise<string[]> {
    const jobs = (await Promise.all(groupIds.map((id) => this.jobs.ofGroup(id)))).flat();
    const oldModels = [...new Set(jobs.map((j) => j.fromSha256).filter((s): s is string => s !== null))];
    const latest = await this.verdicts.latestJudged(
      oldModels,
      jobs.map((j) => j.deviceId),
    );
    return latest
      .filter((v) => v.verdict === 'drift')
      .map(
        (v) =>
          `${v.modelId}@${v.modelVersion} · ${v.stream} · ${v.mcu} · ${v.radio} to ${new Date(v.windowEndMs).toISOString()}: ${v.reasons.join(', ')}`,
      );
  }

  private async sideSummary(deviceIds: string[], models: SideModels, since: Date, now: Date) {
    return this.summaries.devicesWindow(await this.tagByDevice(deviceIds, models), since, now);
  }

  /** The model tag each device's summaries are counted for: the given one, or the one in its active slot. */
  private async tagByDevice(deviceIds: string[], models: SideModels): Promise<Map<string, number>> {
    const runs = await this.devices.activeModelTags(deviceIds);
    const tagByDevice = new Map<string, number>();
    for (const [deviceId, active] of runs) {
      const tag = models === 'active-slot' ? active : models.tags[0];
      if (tag !== null && tag !== undefined) tagByDevice.set(deviceId, tag);
    }
    return tagByDevice;
  }

  private async sideAccuracy(deviceIds: string[], models: SideModels, since: Date, now: Date) {
    const runs = await this.devices.activeModelTags(deviceIds);
    const tags =
      models === 'active-slot' ? [...new Set([...runs.values()].filter((t): t is number => t !== null))] : models.tags;
    const samples = await this.accuracy.samples({
      deviceIds: [...runs.keys()],
      modelTags: tags,
      clock: 'received',
      sinceMs: since.getTime(),
      nowMs: now.getTime(),
    });
    const counted = models === 'active-slot' ? samples.filter((s) => s.modelTag === runs.get(s.deviceId)) : samples;
    const deltas = accuracyDeltas(counted, since.getTime(), now.getTime());
    return { ...sumAccuracy(deltas), devices: new Set(deltas.map((d) => d.deviceId)).size };
  }
}
