import { BadRequestException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { ArtifactManifest } from '@tinyfleet/artifact';
import {
  EVIDENCE_EXPORT_FORMAT,
  type EvidenceExport,
  type EvidenceExportWindow,
} from '@tinyfleet/pipeline/evidence/evidence-export.types';
import { deviceDownlinkTopic, encodeEvidenceRequestV1 } from '@tinyfleet/wire';
import { UNIX_MS_MAX } from '@tinyfleet/wire/schema';
import { BrokerPort } from '../broker/broker.port';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import {
  CreateEvidenceRequestDto,
  EvidenceExportQueryDto,
  EvidenceRequestDto,
  EvidenceWindowDetailDto,
  EvidenceWindowDto,
  ListEvidenceQueryDto,
} from './dto/evidence.dto';
import { EvidenceRepository, type RequestRow, type WindowRow } from './evidence.repository';
import { grayPng } from './png';

const EXPORT_MAX_WINDOWS = 10_000;

/**
 * The operator's side of evidence: ask a cohort (one down/evidence-request per device, its deadline
 * in that device's clock as estimated from its last status), read what came back, label it, and
 * export the labelled windows for a retrain.
 */
@Injectable()
export class EvidenceService {
  private readonly log = new Logger(EvidenceService.name);

  constructor(
    private readonly repo: EvidenceRepository,
    private readonly broker: BrokerPort,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async request(dto: CreateEvidenceRequestDto, now = new Date()): Promise<EvidenceRequestDto> {
    const modelTag = await this.resolveTag(dto);
    if (dto.selector === 'class' && dto.label === undefined)
      throw new BadRequestException('selector class needs label');
    if (dto.selector === 'low-margin' && dto.marginQ === undefined)
      throw new BadRequestException('selector low-margin needs marginQ');
    const cohort = { modelTag, stream: dto.stream, mcu: dto.mcu, tag: dto.tag, deviceIds: dto.deviceIds };
    const devices = await this.repo.cohort(cohort);
    // The platform knows what a device runs only from its last status (its slots): a device that
    // installed the model since then is not in the cohort yet, so say so rather than just "none".
    if (devices.length === 0)
      throw new BadRequestException(
        `no ACTIVE device of that cohort reports running ${dto.model ?? `model tag ${modelTag}`} in its last status (a device that installed it since reports it with its next status)`,
      );
    const deadlineMs = (dto.deadlineS ?? 3600) * 1000;
    const request = {
      modelTag,
      selector: dto.selector,
      label: dto.selector === 'class' ? dto.label! : 0,
      marginQ: dto.selector === 'low-margin' ? dto.marginQ! : 0,
      maxWindows: dto.maxWindows,
      maxBytes: dto.maxBytes,
      dailyBudgetBytes: dto.dailyBudgetBytes ?? null,
      deadline: new Date(now.getTime() + deadlineMs),
      retentionDays: dto.retentionDays ?? this.config.evidence.retentionDays,
      cohort,
    };
    const id = await this.repo.insertRequest(
      request,
      devices.map((d) => d.id),
    );
    // Stored first: an answer that comes back before the last publish finds its row.
    for (const d of devices) {
      const payload = encodeEvidenceRequestV1({
        requestId: id,
        modelTag,
        selector: request.selector,
        label: request.label,
        marginQ: request.marginQ,
        maxWindows: request.maxWindows,
        maxBytes: request.maxBytes,
        deadlineMs: Math.min(UNIX_MS_MAX, Math.max(0, now.getTime() + d.clockOffsetMs + deadlineMs)),
        dailyBudgetBytes: request.dailyBudgetBytes,
      });
      await this.broker.publish(deviceDownlinkTopic(d.id, 'evidence-request'), payload, 1).catch((err: unknown) => {
        this.log.warn(`could not send evidence request ${id} to ${d.id}: ${String(err)}`);
      });
    }
    return this.get(id);
  }

  async get(id: number): Promise<EvidenceRequestDto> {
    const r = await this.repo.findRequest(id);
    if (!r) throw new NotFoundException(`evidence request ${id} not found`);
    return this.requestDto(r);
  }

  async listRequests(limit = 50): Promise<EvidenceRequestDto[]> {
    return Promise.all((await this.repo.listRequests(limit)).map((r) => this.requestDto(r)));
  }

  async listWindows(q: ListEvidenceQueryDto): Promise<EvidenceWindowDto[]> {
    const rows = await this.repo.listWindows({ ...q, limit: q.limit ?? 100 });
    const manifests = new ManifestCache(this.repo);
    return Promise.all(rows.map(async (w) => windowDto(w, await manifests.get(w.modelTag))));
  }

  async window(id: number): Promise<EvidenceWindowDetailDto> {
    const w = await this.repo.findWindow(id);
    if (!w) throw new NotFoundException(`evidence window ${id} not found`);
    const manifest = await this.repo.manifestForTag(w.modelTag);
    return {
      ...windowDto(w, manifest),
      labels: manifest?.labels ?? null,
      channels: channelsOf(w, manifest),
      values: w.format === 'f32le' ? Array.from(float32s(w.data)) : null,
    };
  }

  /** The frame of an image window as a greyscale PNG. */
  async png(id: number): Promise<Buffer> {
    const w = await this.repo.findWindow(id);
    if (!w) throw new NotFoundException(`evidence window ${id} not found`);
    if (w.format !== 'u8' || w.imageWidth === 0 || w.samples !== 1)
      throw new BadRequestException(`evidence window ${id} is not an image`);
    return grayPng(new Uint8Array(w.data), w.imageWidth);
  }

  async label(id: number, label: string | null): Promise<EvidenceWindowDetailDto> {
    const w = await this.repo.findWindow(id);
    if (!w) throw new NotFoundException(`evidence window ${id} not found`);
    const manifest = await this.repo.manifestForTag(w.modelTag);
    // A label a retrain cannot use is refused: with a registered model it must be one of its classes.
    if (label !== null && manifest && !manifest.labels.includes(label))
      throw new BadRequestException(`label must be one of ${manifest.labels.join(', ')}`);
    await this.repo.setLabel(id, label);
    return this.window(id);
  }

  async export(q: EvidenceExportQueryDto, now = new Date()): Promise<EvidenceExport> {
    const rows = await this.repo.labelledWindows({ ...q, limit: EXPORT_MAX_WINDOWS });
    const manifests = new ManifestCache(this.repo);
    const windows: EvidenceExportWindow[] = [];
    for (const w of rows) {
      const manifest = await manifests.get(w.modelTag);
      const dto = windowDto(w, manifest);
      windows.push({
        id: w.id,
        requestId: w.requestId,
        deviceId: w.deviceId,
        modelTag: w.modelTag,
        model: dto.model,
        label: w.operatorLabel!,
        predicted: dto.predictedLabel,
        channels: channelsOf(w, manifest),
        format: w.format,
        samples: w.samples,
        valuesPerSample: w.valuesPerSample,
        imageWidth: w.imageWidth,
        data: w.data.toString('base64'),
      });
    }
    return { format: EVIDENCE_EXPORT_FORMAT, exportedAt: now.toISOString(), windows };
  }

  private async resolveTag(dto: CreateEvidenceRequestDto): Promise<number> {
    if ((dto.model === undefined) === (dto.modelTag === undefined))
      throw new BadRequestException('give exactly one of model (name@version) and modelTag');
    if (dto.modelTag !== undefined) return dto.modelTag;
    const at = dto.model!.indexOf('@');
    const tag = await this.repo.tagForModel(dto.model!.slice(0, at), dto.model!.slice(at + 1));
    if (tag === null) throw new BadRequestException(`model ${dto.model} is not registered`);
    return tag;
  }

  private async requestDto(r: RequestRow): Promise<EvidenceRequestDto> {
    const manifest = await this.repo.manifestForTag(r.modelTag);
    const devices = await this.repo.requestDevices(r.id);
    return {
      id: r.id,
      modelTag: r.modelTag,
      model: manifest ? `${manifest.name}@${manifest.version}` : null,
      selector: r.selector,
      label: r.label,
      marginQ: r.marginQ,
      maxWindows: r.maxWindows,
      maxBytes: r.maxBytes,
      dailyBudgetBytes: r.dailyBudgetBytes,
      deadline: r.deadline.toISOString(),
      retentionDays: r.retentionDays,
      createdAt: r.createdAt.toISOString(),
      devices: devices.map((d) => ({ ...d, updatedAt: d.updatedAt.toISOString() })),
    };
  }
}

/** Manifests by model tag for one listing (each looked up once). */
class ManifestCache {
  private readonly byTag = new Map<number, Promise<ArtifactManifest | null>>();
  constructor(private readonly repo: EvidenceRepository) {}
  get(tag: number): Promise<ArtifactManifest | null> {
    let m = this.byTag.get(tag);
    if (!m) this.byTag.set(tag, (m = this.repo.manifestForTag(tag)));
    return m;
  }
}

function windowDto(w: WindowRow, manifest: ArtifactManifest | null): EvidenceWindowDto {
  return {
    id: w.id,
    requestId: w.requestId,
    deviceId: w.deviceId,
    windowIndex: w.windowIndex,
    modelTag: w.modelTag,
    model: manifest ? `${manifest.name}@${manifest.version}` : null,
    deviceTime: new Date(w.deviceTimeMs).toISOString(),
    predicted: w.label,
    predictedLabel: manifest?.labels[w.label] ?? null,
    scoreQ: w.scoreQ,
    marginQ: w.marginQ,
    format: w.format,
    samples: w.samples,
    valuesPerSample: w.valuesPerSample,
    imageWidth: w.imageWidth,
    blobBytes: w.blobBytes,
    receivedAt: w.receivedAt.toISOString(),
    expiresAt: w.expiresAt.toISOString(),
    operatorLabel: w.operatorLabel,
    labelledAt: w.labelledAt?.toISOString() ?? null,
  };
}

/** The manifest's channels name a sensor window's values when their count matches. */
function channelsOf(w: WindowRow, manifest: ArtifactManifest | null): string[] | null {
  const channels = manifest?.preprocessing.channels;
  if (!channels) return null;
  if (w.imageWidth !== 0) return channels;
  return channels.length === w.valuesPerSample ? channels : null;
}

function float32s(data: Buffer): Float32Array {
  const copy = new Uint8Array(data); // aligned, and independent of the driver's buffer pool
  return new Float32Array(copy.buffer, 0, copy.length / 4);
}
