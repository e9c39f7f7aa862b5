import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { ArtifactManifest } from '@tinyfleet/artifact';
import { loadModel, ModelFormatError, opsNeeded, type OpSetEntry } from '@tinyfleet/tinyml';
import { EntityManager } from 'typeorm';
import { DeviceModelFacts, DevicesRepository } from '../../devices/devices.repository';
import { CreateRolloutDto, ResumeRolloutDto, RolloutStatusDto } from '../dto/rollout.dto';
import { OpenJobsCanceller } from '../jobs/open-jobs-canceller';
import { IN_FLIGHT_STATES } from '../jobs/ota-job.state-machine';
import { OtaJobsRepository } from '../jobs/ota-jobs.repository';
import { ModelArtifactsRepository, RolloutArtifact } from '../registry/model-artifacts.repository';
import { checkCompatibility, DeviceFacts } from './compatibility';
import { DEFAULT_MIN_ACCURACY_INFERENCES, gateVerdicts, HealthGates } from './health-gates';
import { RolloutPacing, RolloutRate, splitIntoGroups } from './pacing';
import { RollbackRollout } from './rollback-rollout';
import { Rollout, RolloutTarget } from './rollout.entity';
import { allowedRolloutActions, RolloutState } from './rollout.state-machine';
import { RolloutsRepository } from './rollouts.repository';

/** A target device as admission saw it, with the model it runs (a delta's base). */
type Candidate = DeviceFacts & { activeSha256: string | null };

/** Operator commands on rollouts: create (with model-aware admission), pause, resume, abort, roll back, status. */
@Injectable()
export class RolloutsService {
  constructor(
    @InjectEntityManager() private readonly m: EntityManager,
    private readonly rollouts: RolloutsRepository,
    private readonly devices: DevicesRepository,
    private readonly jobs: OtaJobsRepository,
    private readonly artifacts: ModelArtifactsRepository,
    private readonly canceller: OpenJobsCanceller,
    private readonly rollbacks: RollbackRollout,
  ) {}

  async create(dto: CreateRolloutDto, now = new Date()): Promise<RolloutStatusDto> {
    const artifact = await this.artifacts.findForRollout(dto.model.name, dto.model.version);
    if (!artifact)
      throw new NotFoundException(
        `model ${dto.model.name} ${dto.model.version} is not in the registry (tinyfleet model push)`,
      );
    if (!artifact.deviceManifest)
      throw new BadRequestException(
        `model ${dto.model.name} ${dto.model.version} was registered before device manifests (TFDM/1) and cannot be delivered: rebuild it (tinyfleet model build) and push it again`,
      );
    const pacing: RolloutPacing = {
      groups: dto.groups.map((g) => ({
        percent: g.percent,
        count: g.count,
        successThresholdPct: g.successThresholdPct ?? 100,
        errorThresholdPct: g.errorThresholdPct ?? 20,
      })),
      rate: dto.rate ? toRate(dto.rate) : undefined,
      jobTimeoutS: dto.jobTimeoutS ?? 600,
      maxAttempts: dto.maxAttempts ?? 3,
    };
    // The validated DTO carries every optional field, unset ones as undefined: drop those so the defaults stand.
    const given = Object.fromEntries(
      Object.entries(dto.gates ?? {}).filter(([, v]) => v !== undefined),
    ) as Partial<HealthGates>;
    const gates: HealthGates = {
      minDevicesPerSide: 3,
      autoRollback: false,
      ...(given.maxAccuracyDropPct !== undefined ? { minAccuracyInferences: DEFAULT_MIN_ACCURACY_INFERENCES } : {}),
      ...given,
    };
    const neededOps = await this.neededOps(artifact);
    const { eligible, skipped } = await this.admit(dto.target, artifact, neededOps);
    if (eligible.length === 0 && skipped.length === 0) throw new BadRequestException('no device matches the target');
    const id = await this.m.transaction(async (tx) => {
      const rollouts = this.rollouts.within(tx);
      const rollout = await rollouts.insert({
        name: dto.name,
        artifactId: artifact.id,
        target: dto.target as RolloutTarget,
        pacing,
        gates,
        errorAction: dto.errorAction ?? 'pause',
        stateReason: `${plural(eligible.length, 'device')} in ${plural(pacing.groups.length, 'group')}, ${skipped.length} skipped`,
        rollbackOf: null,
      });
      await this.createGroupsAndJobs(tx, rollout, artifact.id, eligible, skipped);
      if (dto.start ?? true) await rollouts.transition(rollout, 'RUNNING', rollout.stateReason!, now);
      return rollout.id;
    });
    return this.status(id);
  }

  async list(): Promise<RolloutStatusDto[]> {
    return Promise.all((await this.rollouts.latestIds(200)).map((id) => this.status(id)));
  }

  async status(id: number): Promise<RolloutStatusDto> {
    const rollout = await this.rollouts.findById(id);
    if (!rollout) throw new NotFoundException(`rollout ${id} not found`);
    const [artifact, groups, counts, skipped] = await Promise.all([
      this.artifacts.nameAndVersion(rollout.artifactId),
      this.rollouts.groups(id),
      this.jobs.countsByGroup(id),
      this.jobs.skipped(id),
    ]);
    return {
      id: rollout.id,
      name: rollout.name,
      state: rollout.state,
      stateReason: rollout.stateReason,
      allowedActions: allowedRolloutActions(rollout.state),
      model: { name: artifact?.name ?? '?', version: artifact?.version ?? '?' },
      rollbackOf: rollout.rollbackOf,
      target: rollout.target,
      pacing: rollout.pacing,
      errorAction: rollout.errorAction,
      gates: rollout.gates,
      groups: groups.map((g) => {
        const jobs = Object.fromEntries(
          counts.filter((c) => c.group_id === g.id && c.state !== 'SKIPPED').map((c) => [c.state, c.n]),
        );
        return {
          id: g.id,
          index: g.idx,
          state: g.state,
          successThresholdPct: g.successThresholdPct,
          errorThresholdPct: g.errorThresholdPct,
          jobs,
          jobsTotal: Object.values(jobs).reduce((a, b) => a + b, 0),
          jobsInFlight: IN_FLIGHT_STATES.reduce((a, s) => a + (jobs[s] ?? 0), 0),
          gateReadings: g.gateReadings,
          gateVerdicts: g.gateReadings ? gateVerdicts(rollout.gates, g.gateReadings) : null,
          startedAt: g.startedAt?.toISOString() ?? null,
          finishedAt: g.finishedAt?.toISOString() ?? null,
        };
      }),
      skipped,
      createdAt: rollout.createdAt.toISOString(),
    };
  }

  async pause(id: number, now = new Date()): Promise<RolloutStatusDto> {
    await this.move(id, 'PAUSED', 'paused by the operator', now);
    return this.status(id);
  }

  async resume(id: number, dto: ResumeRolloutDto, now = new Date()): Promise<RolloutStatusDto> {
    const rollout = await this.move(id, 'RUNNING', 'resumed by the operator', now);
    // The operator may accept what the current group reached, or tolerate more failures.
    const current = (await this.rollouts.groups(rollout.id)).find(
      (g) => g.state === 'RUNNING' || g.state === 'FAILED' || g.state === 'READY',
    );
    if (current)
      await this.rollouts.setThresholds(current.id, {
        successThresholdPct: dto.successThresholdPct,
        errorThresholdPct: dto.errorThresholdPct,
      });
    return this.status(id);
  }

  /** Ends the rollout: groups not started or under way are canceled (a failed one stays FAILED), open jobs too. */
  async abort(id: number, now = new Date()): Promise<RolloutStatusDto> {
    await this.move(id, 'ABORTED', 'aborted by the operator', now);
    for (const g of await this.rollouts.groups(id))
      if (g.state === 'READY' || g.state === 'RUNNING') await this.rollouts.transitionGroup(g, 'CANCELED', now);
    await this.canceller.cancelOpen(id, 'aborted', now);
    return this.status(id);
  }

  /** See RollbackRollout: the devices that took this rollout's model go back to the one they ran before. */
  async rollback(id: number, now = new Date()): Promise<RolloutStatusDto> {
    await this.rollbacks.execute(id, {}, now);
    return this.status(id);
  }

  /** The ops (and types) the artifact's .tflite needs, which a device's reported op set must hold. */
  private async neededOps(artifact: RolloutArtifact): Promise<OpSetEntry[]> {
    const bytes = await this.artifacts.modelBytesBySha256(artifact.sha256);
    if (!bytes) throw new NotFoundException(`model ${artifact.name} ${artifact.version} has no stored .tflite`);
    try {
      return opsNeeded(loadModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
    } catch (err) {
      if (!(err instanceof ModelFormatError)) throw err;
      throw new BadRequestException(
        `model ${artifact.name} ${artifact.version}: its .tflite cannot be read (${err.message}), so the ops it needs are unknown`,
      );
    }
  }

  /** Per device, what the platform knows, and the admission decision. */
  private async admit(
    target: RolloutTarget,
    artifact: RolloutArtifact,
    neededOps: readonly OpSetEntry[],
  ): Promise<{ eligible: Candidate[]; skipped: Array<{ device: Candidate; reason: string }> }> {
    const rows = await this.findTargets(target);
    const busy = await this.jobs.busyDevices(rows.map((r) => r.id));
    const manifests = new Map<string, ArtifactManifest | null>();
    const eligible: Candidate[] = [];
    const skipped: Array<{ device: Candidate; reason: string }> = [];
    for (const row of rows) {
      const sha256 = row.activeModelSha256;
      if (sha256 && !manifests.has(sha256)) manifests.set(sha256, await this.artifacts.manifestBySha256(sha256));
      const device: Candidate = {
        id: row.id,
        mcuProfile: row.mcuProfile,
        sensorStream: row.sensorStream,
        interpreterVersion: row.interpreterVersion,
        activeModelBytes: row.activeModelBytes ?? 0,
        activeManifest: sha256 ? (manifests.get(sha256) ?? null) : null,
        activeSha256: sha256,
        opSet: row.opSet,
      };
      if (sha256 !== null && sha256 === artifact.sha256) skipped.push({ device, reason: 'already runs this model' });
      else if (busy.has(row.id)) skipped.push({ device, reason: 'another update is in progress on this device' });
      else {
        const fit = checkCompatibility(device, artifact.manifest, neededOps);
        if (fit.ok) eligible.push(device);
        else skipped.push({ device, reason: fit.reason });
      }
    }
    return { eligible, skipped };
  }

  private findTargets(t: RolloutTarget): Promise<DeviceModelFacts[]> {
    return this.devices.modelFacts({
      stream: t.stream,
      mcuProfile: t.mcuProfile,
      radioProfile: t.radioProfile,
      tags: t.tags,
      deviceIds: t.deviceIds,
      activeModelId: t.currentModelId,
      activeModelVersion: t.currentModelVersion,
    });
  }

  private async createGroupsAndJobs(
    tx: EntityManager,
    rollout: Rollout,
    artifactId: number,
    eligible: Candidate[],
    skipped: Array<{ device: Candidate; reason: string }>,
  ): Promise<void> {
    const split = splitIntoGroups(eligible, rollout.pacing.groups);
    const groups = await this.rollouts.within(tx).insertGroups(
      rollout.id,
      rollout.pacing.groups.map((g, idx) => ({
        idx,
        successThresholdPct: g.successThresholdPct,
        errorThresholdPct: g.errorThresholdPct,
      })),
    );
    // fromSha256 (the base a delta applies to) is the model admission judged the device on.
    const rows: Array<{ groupId: number; deviceId: string; fromSha256: string | null; skippedReason?: string }> = [
      ...split.entries(),
    ].flatMap(([i, devices]) =>
      devices.map((d) => ({ groupId: groups[i]!.id, deviceId: d.id, fromSha256: d.activeSha256 })),
    );
    for (const s of skipped)
      rows.push({ groupId: groups[0]!.id, deviceId: s.device.id, fromSha256: null, skippedReason: s.reason });
    await this.jobs.insertNew(tx, rollout.id, artifactId, rows);
  }

  /** An operator's move, through the table and guarded on the state read (409 either way). */
  private async move(id: number, to: RolloutState, reason: string, now: Date): Promise<Rollout> {
    const rollout = await this.rollouts.findById(id);
    if (!rollout) throw new NotFoundException(`rollout ${id} not found`);
    await this.rollouts.transition(rollout, to, reason, now);
    return rollout;
  }
}

function toRate(r: CreateRolloutDto['rate'] & object): RolloutRate {
  if (r.type === 'constant') {
    if (!r.perMinute) throw new BadRequestException('rate.perMinute is required for a constant rate');
    return { type: 'constant', perMinute: r.perMinute };
  }
  if (!r.basePerMinute || !r.incrementFactor || !r.everyNotified || !r.maxPerMinute) {
    throw new BadRequestException(
      'an exponential rate needs basePerMinute, incrementFactor, everyNotified and maxPerMinute',
    );
  }
  return {
    type: 'exponential',
    basePerMinute: r.basePerMinute,
    incrementFactor: r.incrementFactor,
    everyNotified: r.everyNotified,
    maxPerMinute: r.maxPerMinute,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
