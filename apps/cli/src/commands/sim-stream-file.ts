import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArtifactManifest } from '@tinyfleet/artifact';
import type { NodeSpec, UserStreamOptions } from '../../../../device-sim/src';
import { holdoutOf } from '@tinyfleet/datasets';
import { apiRequest } from '../http-client';
import { positiveNumber } from '../option-parsers';

/** `sim run --stream-file`: the user's own recording on simulated nodes, with their model delivered over the air. */
export function addStreamFileOptions(cmd: Command): Command {
  return cmd
    .option(
      '--stream-file <path>',
      'replay your own recording: a CSV / folder of CSVs, or an image folder (a sub-folder per class)',
    )
    .option(
      '--stream-rate <hz>',
      'with --stream-file: samples (rows or frames) per second of virtual time',
      positiveNumber('--stream-rate'),
    )
    .option(
      '--model <name@version>',
      'with --stream-file: the model the nodes run, from the registry (delivered by an OTA rollout)',
    )
    .option(
      '--stream-name <name>',
      'with --stream-file: the stream the nodes register (rollouts target it; default: the file name)',
    )
    .option('--stream-part <part>', "with --stream-file: test (the build's held-out split) | all", 'test')
    .option(
      '--stream-sensor <kind>',
      'with --stream-file: sensor profile that prices a sample: soil (probe + ADC) | gas | doorbell (camera)',
    )
    .option('--label-column <name>', 'with --stream-file (CSV): ground-truth column', 'label')
    .option('--timestamp-column <name>', 'with --stream-file (CSV): timestamp column', 'timestamp');
}

export interface StreamFileOpts {
  streamFile: string;
  streamRate?: number;
  model?: string;
  streamName?: string;
  streamPart: string;
  streamSensor?: string;
  labelColumn: string;
  timestampColumn: string;
  mcu?: string;
  radio?: string;
  devices: number;
  fleetName: string;
  platform: string;
}

export interface StreamFilePlan {
  specs: NodeSpec[];
  userStream: UserStreamOptions;
  model: { name: string; version: string; manifest: ArtifactManifest };
}

export async function planStreamFile(o: StreamFileOpts): Promise<StreamFilePlan> {
  if (!fs.existsSync(o.streamFile)) throw new Error(`--stream-file ${o.streamFile}: no such file or folder`);
  if (!o.streamRate) throw new Error('--stream-file needs --stream-rate HZ (samples per second of virtual time)');
  const m = /^([^@\s]+)@(\d+\.\d+\.\d+)$/.exec(o.model ?? '');
  if (!m)
    throw new Error(
      `--stream-file needs --model name@version (a model pushed to the registry), got ${o.model ?? 'none'}`,
    );
  if (!['test', 'all'].includes(o.streamPart))
    throw new Error(`--stream-part must be test or all, got ${o.streamPart}`);
  const detail = await apiRequest<{ manifest: ArtifactManifest | string }>(
    o.platform,
    'GET',
    `/api/models/${encodeURIComponent(m[1])}/${encodeURIComponent(m[2])}`,
  );
  const manifest = (
    typeof detail.manifest === 'string' ? JSON.parse(detail.manifest) : detail.manifest
  ) as ArtifactManifest;
  const isImages =
    fs.statSync(o.streamFile).isDirectory() &&
    fs.readdirSync(o.streamFile).every((f) => !f.toLowerCase().endsWith('.csv'));
  const shape = manifest.inputs[0]?.shape ?? [];
  const sensor = o.streamSensor ?? (isImages ? 'doorbell' : 'soil');
  if (!['soil', 'gas', 'doorbell'].includes(sensor))
    throw new Error(`--stream-sensor must be soil, gas or doorbell, got ${sensor}`);
  const id =
    o.streamName ??
    path
      .basename(path.resolve(o.streamFile))
      .replace(/\.csv$/i, '')
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-');
  const userStream: UserStreamOptions = {
    file: path.resolve(o.streamFile),
    rateHz: o.streamRate,
    id,
    sensor: sensor as UserStreamOptions['sensor'],
    labels: manifest.labels,
    part: o.streamPart as UserStreamOptions['part'],
    labelColumn: o.labelColumn,
    timestampColumn: o.timestampColumn,
    ...(isImages
      ? { imageSize: shape[1], color: shape[3] === 3 ? 'rgb' : 'gray' }
      : {
          windowLength: manifest.preprocessing.windowLength,
          holdout: holdoutOf(manifest.datasets[0]?.split ?? ''),
        }),
  };
  const specs: NodeSpec[] = Array.from({ length: o.devices }, (_, i) => ({
    hardwareId: `${o.fleetName}-${id}-${i}`,
    stream: 'user',
    index: i,
    // The board the walk-through targets, unless --mcu/--radio say otherwise.
    mcu: (o.mcu ?? 'nrf52840') as NodeSpec['mcu'],
    radio: (o.radio ?? 'nrf52840-ble-1m') as NodeSpec['radio'],
  }));
  return { specs, userStream, model: { name: m[1], version: m[2], manifest } };
}

/**
 * Waits until the platform has stored a status from `nodes` devices of the user's stream: rollout
 * targeting reads each device's active model from its status, so a rollout created between a node's
 * CONNECT and its first stored status would skip it (seen on a loaded machine). One list request per
 * poll (per 1,000 devices): the list carries each device's lastStatusAt.
 */
export async function statusesStored(platform: string, plan: StreamFilePlan, nodes: number): Promise<void> {
  const deadlineMs = Date.now() + 300_000;
  for (;;) {
    let withStatus = 0;
    for (let offset = 0, total = 1; offset < total; offset += DEVICE_PAGE) {
      const page = await apiRequest<{ items: Array<{ lastStatusAt: string | null }>; total: number }>(
        platform,
        'GET',
        `/api/devices?stream=${encodeURIComponent(plan.userStream.id)}&limit=${DEVICE_PAGE}&offset=${offset}`,
      );
      total = page.total;
      withStatus += page.items.filter((d) => d.lastStatusAt).length;
    }
    if (withStatus >= nodes) return;
    if (Date.now() > deadlineMs)
      throw new Error(`the platform stored a status from ${withStatus} of ${nodes} nodes of ${plan.userStream.id}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The device list's page limit. */
const DEVICE_PAGE = 1000;

/** Deliver the model to every node of the stream: one rollout group, the platform's normal OTA path. */
export async function rolloutToStream(platform: string, plan: StreamFilePlan): Promise<number> {
  const created = await apiRequest<{ id: number }>(platform, 'POST', '/api/rollouts', {
    name: `sim --stream-file ${plan.userStream.id}: ${plan.model.name}@${plan.model.version}`,
    model: { name: plan.model.name, version: plan.model.version },
    target: { stream: plan.userStream.id },
    groups: [{ percent: 100 }],
  });
  return created.id;
}
