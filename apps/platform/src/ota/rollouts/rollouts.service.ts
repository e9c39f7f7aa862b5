import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ArtifactManifest } from '@tinyfleet/artifact';
import { DataSource, In } from 'typeorm';
import { DeviceModelFacts, DevicesRepository } from '../../devices/devices.repository';
import { CreateRolloutDto, ResumeRolloutDto, RolloutStatusDto } from '../dto/rollout.dto';
import { OtaDispatcher } from '../jobs/ota-dispatcher.port';
import { OtaJob } from '../jobs/ota-job.entity';
import { OtaJobsRepository } from '../jobs/ota-jobs.repository';
import { IN_FLIGHT_STATES } from '../jobs/ota-job.state-machine';
import { ModelArtifact } from '../registry/model-artifact.entity';
import { checkCompatibility, DeviceFacts } from './compatibility';
import { DEFAULT_MIN_ACCURACY_INFERENCES, HealthGates } from './health-gates';
import { RolloutPacing, RolloutRate, splitIntoGroups } from './pacing';
import { RolloutGroup } from './rollout-group.entity';
import { Rollout, RolloutTarget } from './rollout.entity';
import { rolloutMachine, RolloutState } from './rollout.state-machine';

/** Operator commands on rollouts: create (with model-aware admission), pause, resume, abort, roll back, status. */
/** A target device as admission saw it, with the model it runs (a delta's base). */
type Candidate = DeviceFacts & { activeSha256: string | null };

@Injectable()
export class RolloutsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly devices: DevicesRepository,
    private readonly jobs: OtaJobsRepository,
    private readonly dispatcher: OtaDispatcher,
  ) {}

  async create(dto: CreateRolloutDto, now = new Date()): Promise<RolloutStatusDto> {
    const artifact = await this.db.getRepository(ModelArtifact).findOne({
      where: { name: dto.model.name, version: dto.model.version },
      select: { id: true, name: true, version: true, sha256: true, manifest: true, deviceManifest: true },
    });
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
    const { eligible, skipped } = await this.admit(dto.target, artifact);
    if (eligible.length === 0 && skipped.length === 0) throw new BadRequestException('no device matches the target');
    return this.db.transaction(async (m) => {
      const rollout = await m.getRepository(Rollout).save(
        m.getRepository(Rollout).create({
          name: dto.name,
          artifactId: artifact.id,
          target: dto.target as RolloutTarget,
          pacing,
          gates,
          errorAction: dto.errorAction ?? 'pause',
          state: 'READY',
          stateReason: `${plural(eligible.length, 'device')} in ${plural(pacing.groups.length, 'group')}, ${skipped.length} skipped`,
          rollbackOf: null,
        }),
      );
      await this.createGroupsAndJobs(m, rollout, artifact.id, eligible, skipped);
      if (dto.start ?? true)
        await m.getRepository(Rollout).update({ id: rollout.id }, { state: 'RUNNING', startedAt: now });
      return this.status(rollout.id, m);
    });
  }

  async list(): Promise<RolloutStatusDto[]> {
    const ids = await this.db.getRepository(Rollout).find({ select: { id: true }, order: { id: 'DESC' }, take: 200 });
    return Promise.all(ids.map((r) => this.status(r.id)));
  }

  async status(id: number, m = this.db.manager): Promise<RolloutStatusDto> {
    const rollout = await m.getRepository(Rollout).findOneBy({ id });
    if (!rollout) throw new NotFoundException(`rollout ${id} not found`);
    const artifact = await m
      .getRepository(ModelArtifact)
      .findOne({ where: { id: rollout.artifactId }, select: { name: true, version: true } });
    const groups = await m.getRepository(RolloutGroup).find({ where: { rolloutId: id }, order: { idx: 'ASC' } });
    const counts: Array<{ group_id: number; state: string; n: number }> = await m.query(
      `SELECT group_id, state, count(*)::int AS n FROM ota_jobs WHERE rollout_id = $1 GROUP BY group_id, state`,
      [id],
    );
    const skipped: Array<{ deviceId: string; reason: string }> = await m.query(
      `SELECT device_id AS "deviceId", reason FROM ota_jobs WHERE rollout_id = $1 AND state = 'SKIPPED' ORDER BY device_id`,
      [id],
    );
    return {
      id: rollout.id,
      name: rollout.name,
      state: rollout.state,
      stateReason: rollout.stateReason,
      model: { name: artifact?.name ?? '?', version: artifact?.version ?? '?' },
      rollbackOf: rollout.rollbackOf,
      gates: rollout.gates,
      groups: groups.map((g) => ({
        id: g.id,
        index: g.idx,
        state: g.state,
        successThresholdPct: g.successThresholdPct,
        errorThresholdPct: g.errorThresholdPct,
        jobs: Object.fromEntries(
          counts.filter((c) => c.group_id === g.id && c.state !== 'SKIPPED').map((c) => [c.state, c.n]),
        ),
        gateReadings: g.gateReadings,
        startedAt: g.startedAt?.toISOString() ?? null,
        finishedAt: g.finishedAt?.toISOString() ?? null,
      })),
      skipped,
      createdAt: rollout.createdAt.toISOString(),
    };
  }

  async pause(id: number): Promise<RolloutStatusDto> {
    await this.move(id, 'PAUSED', 'paused by the operator');
    return this.status(id);
  }

  async resume(id: number, dto: ResumeRolloutDto): Promise<RolloutStatusDto> {
    const rollout = await this.move(id, 'RUNNING', 'resumed by the operator');
    // The operator may accept what the current group reached, or tolerate more failures.
    const current = await this.db
      .getRepository(RolloutGroup)
      .findOne({ where: { rolloutId: rollout.id, state: In(['RUNNING', 'FAILED', 'READY']) }, order: { idx: 'ASC' } });
    if (current && (dto.successThresholdPct !== undefined || dto.errorThresholdPct !== undefined)) {
      await this.db.getRepository(RolloutGroup).update(
        { id: current.id },
        {
          ...(dto.successThresholdPct !== undefined ? { successThresholdPct: dto.successThresholdPct } : {}),
          ...(dto.errorThresholdPct !== undefined ? { errorThresholdPct: dto.errorThresholdPct } : {}),
        },
      );
    }
    if (!rollout.startedAt) await this.db.getRepository(Rollout).update({ id }, { startedAt: new Date() });
    return this.status(id);
  }

  async abort(id: number, now = new Date()): Promise<RolloutStatusDto> {
    await this.move(id, 'ABORTED', 'aborted by the operator', now);
    await this.db
      .getRepository(RolloutGroup)
      .update({ rolloutId: id, state: In(['READY', 'RUNNING', 'FAILED']) }, { state: 'CANCELED', finishedAt: now });
    await this.jobs.cancelOpen(id, 'aborted', this.dispatcher, now);
    return this.status(id);
  }

  /**
   * Puts every device that took this rollout's model back on the model it ran before, through a new
   * rollout (its own jobs and history). Devices still hold that model in their other slot, so they
   * switch back without downloading it; the previous model must be in the registry to be offered.
   */
  async rollback(
    id: number,
    opts: { deviceIds?: string[]; reason?: string } = {},
    now = new Date(),
  ): Promise<RolloutStatusDto> {
    const rollout = await this.db.getRepository(Rollout).findOneBy({ id });
    if (!rollout) throw new NotFoundException(`rollout ${id} not found`);
    rolloutMachine.assertTransition(`rollout ${id}`, rollout.state, 'ROLLED_BACK');
    await this.jobs.cancelOpen(id, 'superseded', this.dispatcher, now);
    const done = await this.db.getRepository(OtaJob).find({
      where: { rolloutId: id, state: 'SUCCEEDED', ...(opts.deviceIds ? { deviceId: In(opts.deviceIds) } : {}) },
    });
    const byPrevious = new Map<string, OtaJob[]>();
    for (const job of done)
      if (job.fromSha256) byPrevious.set(job.fromSha256, [...(byPrevious.get(job.fromSha256) ?? []), job]);
    const created: number[] = [];
    for (const [sha256, jobs] of byPrevious) {
      const previous = await this.db
        .getRepository(ModelArtifact)
        .findOne({ where: { sha256 }, select: { id: true, name: true, version: true }, order: { createdAt: 'DESC' } });
      if (!previous) continue;
      const back = await this.db.transaction(async (m) => {
        const r = await m.getRepository(Rollout).save(
          m.getRepository(Rollout).create({
            name: `rollback of #${id} to ${previous.name} ${previous.version}`,
            artifactId: previous.id,
            target: { deviceIds: jobs.map((j) => j.deviceId) },
            pacing: {
              groups: [{ percent: 100, successThresholdPct: 100, errorThresholdPct: 100 }],
              jobTimeoutS: rollout.pacing.jobTimeoutS,
              maxAttempts: rollout.pacing.maxAttempts,
            },
            gates: { minDevicesPerSide: 1, autoRollback: false },
            errorAction: 'pause',
            state: 'RUNNING',
            stateReason: opts.reason ?? 'rollback requested by the operator',
            rollbackOf: id,
            startedAt: now,
          }),
        );
        const [group] = await m.getRepository(RolloutGroup).save([
          {
            rolloutId: r.id,
            idx: 0,
            state: 'READY',
            successThresholdPct: 100,
            errorThresholdPct: 100,
            startedAt: null,
            finishedAt: null,
            gateReadings: null,
          },
        ]);
        await m.getRepository(OtaJob).insert(
          jobs.map((j) => ({
            rolloutId: r.id,
            groupId: group!.id,
            deviceId: j.deviceId,
            artifactId: previous.id,
            fromSha256: null,
            state: 'QUEUED' as const,
            attempts: 0,
            chunksReceived: 0,
          })),
        );
        return r.id;
      });
      created.push(back);
    }
    const skippedRollback = done.length - [...byPrevious.values()].flat().length;
    await this.db.getRepository(Rollout).update(
      { id },
      {
        state: 'ROLLED_BACK',
        stateReason: `${opts.reason ?? 'rolled back by the operator'}: rollouts ${created.map((c) => `#${c}`).join(', ') || '(none)'}${skippedRollback ? `; ${skippedRollback} devices' previous model is unknown` : ''}`,
        finishedAt: now,
      },
    );
    return this.status(id);
  }

  /** Per device, what the platform knows, and the admission decision. */
  private async admit(
    target: RolloutTarget,
    artifact: Pick<ModelArtifact, 'id' | 'sha256' | 'manifest'>,
  ): Promise<{ eligible: Candidate[]; skipped: Array<{ device: Candidate; reason: string }> }> {
    const rows = await this.findTargets(target);
    const busy = new Set<string>(
      (
        await this.db.getRepository(OtaJob).find({
          where: { deviceId: In(rows.map((r) => r.id)), state: In(IN_FLIGHT_STATES as string[]) },
          select: { deviceId: true },
        })
      ).map((j) => j.deviceId),
    );
    const manifests = new Map<string, ArtifactManifest>();
    const eligible: Candidate[] = [];
    const skipped: Array<{ device: Candidate; reason: string }> = [];
    for (const row of rows) {
      const sha256 = row.activeModelSha256;
      if (sha256 && !manifests.has(sha256)) {
        const known = await this.db
          .getRepository(ModelArtifact)
          .findOne({ where: { sha256 }, select: { manifest: true } });
        if (known) manifests.set(sha256, known.manifest);
      }
      const device: Candidate = {
        id: row.id,
        mcuProfile: row.mcuProfile,
        sensorStream: row.sensorStream,
        interpreterVersion: row.interpreterVersion,
        activeModelBytes: row.activeModelBytes ?? 0,
        activeManifest: sha256 ? (manifests.get(sha256) ?? null) : null,
        activeSha256: sha256,
      };
      if (sha256 !== null && sha256 === artifact.sha256) skipped.push({ device, reason: 'already runs this model' });
      else if (busy.has(row.id)) skipped.push({ device, reason: 'another update is in progress on this device' });
      else {
        const fit = checkCompatibility(device, artifact.manifest);
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
    m: DataSource['manager'],
    rollout: Rollout,
    artifactId: number,
    eligible: Candidate[],
    skipped: Array<{ device: Candidate; reason: string }>,
  ): Promise<void> {
    const split = splitIntoGroups(eligible, rollout.pacing.groups);
    const groups = await m.getRepository(RolloutGroup).save(
      rollout.pacing.groups.map((g, idx) => ({
        rolloutId: rollout.id,
        idx,
        state: 'READY' as const,
        successThresholdPct: g.successThresholdPct,
        errorThresholdPct: g.errorThresholdPct,
        startedAt: null,
        finishedAt: null,
        gateReadings: null,
      })),
    );
    // fromSha256 (the base a delta applies to) is the model admission judged the device on.
    const rows = [];
    for (const [i, devices] of split.entries()) {
      for (const d of devices)
        rows.push({
          rolloutId: rollout.id,
          groupId: groups[i]!.id,
          deviceId: d.id,
          artifactId,
          fromSha256: d.activeSha256,
          state: 'QUEUED' as const,
          attempts: 0,
          chunksReceived: 0,
        });
    }
    for (const s of skipped)
      rows.push({
        rolloutId: rollout.id,
        groupId: groups[0]!.id,
        deviceId: s.device.id,
        artifactId,
        fromSha256: null,
        state: 'SKIPPED' as const,
        reason: s.reason,
        attempts: 0,
        chunksReceived: 0,
      });
    for (let i = 0; i < rows.length; i += 1000) await m.getRepository(OtaJob).insert(rows.slice(i, i + 1000));
  }

  private async move(id: number, to: RolloutState, reason: string, now = new Date()): Promise<Rollout> {
    const rollout = await this.db.getRepository(Rollout).findOneBy({ id });
    if (!rollout) throw new NotFoundException(`rollout ${id} not found`);
    if (!rolloutMachine.canTransition(rollout.state, to))
      throw new ConflictException(`rollout ${id} is ${rollout.state}; it cannot become ${to}`);
    const res = await this.db
      .getRepository(Rollout)
      .update(
        { id, state: rollout.state },
        { state: to, stateReason: reason, ...(to === 'ABORTED' ? { finishedAt: now } : {}) },
      );
    if (!res.affected) throw new ConflictException(`rollout ${id} changed meanwhile; try again`);
    return { ...rollout, state: to };
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
