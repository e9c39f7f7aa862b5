import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EvidenceExport } from '@tinyfleet/pipeline/evidence/evidence-export.types';
import { renderTable } from '@tinyfleet/pipeline/report-table';
import { apiRequest, platformOption } from '../http-client';
import { nonNegativeInt } from '../option-parsers';

interface RequestDevice {
  deviceId: string;
  state: string;
  reason: string | null;
  windowCount: number;
  plannedBytes: number;
  receivedBytes: number;
  windowsStored: number;
}
interface EvidenceRequest {
  id: number;
  model: string | null;
  modelTag: number;
  selector: string;
  devices: RequestDevice[];
}
interface EvidenceWindow {
  id: number;
  requestId: number;
  deviceId: string;
  deviceTime: string;
  predicted: number;
  predictedLabel: string | null;
  scoreQ: number;
  marginQ: number;
  format: string;
  samples: number;
  valuesPerSample: number;
  blobBytes: number;
  operatorLabel: string | null;
}

function requestTable(r: EvidenceRequest): string {
  return `evidence request ${r.id}: ${r.model ?? `model tag ${r.modelTag}`}, ${r.selector}, ${r.devices.length} devices\n${renderTable(
    ['device', 'state', 'reason', 'windows', 'planned B', 'stored', 'received B'],
    r.devices.map((d) => [
      d.deviceId,
      d.state,
      d.reason ?? '',
      String(d.windowCount),
      String(d.plannedBytes),
      String(d.windowsStored),
      String(d.receivedBytes),
    ]),
  )}`;
}

/** `tinyfleet evidence …`: ask a cohort for the raw windows behind its inferences, label them, export them. */
export function registerEvidenceCommands(program: Command): void {
  const evidence = program
    .command('evidence')
    .description('Evidence: raw windows from the fleet on request, within a budget; label and export them');

  evidence
    .command('request')
    .description('Ask every ACTIVE device running a model (optionally narrowed) for evidence')
    .option('--model <name@version>', 'the model whose inferences you want to see (registered)')
    .option(
      '--model-tag <tag>',
      'or its uint32 model tag (first 4 bytes of the .tflite sha256)',
      nonNegativeInt('--model-tag'),
    )
    .option('--select <selector>', 'any | low-margin | class', 'low-margin')
    .option(
      '--margin <q>',
      'low-margin: winner beat the runner-up by fewer than this many int8 steps',
      nonNegativeInt('--margin'),
      32,
    )
    .option('--class <index>', 'class: the class index', nonNegativeInt('--class'))
    .option('--stream <id>', 'only devices of this sensor stream')
    .option('--mcu <profile>', 'only devices of this MCU profile')
    .option('--tag <tag>', 'only devices with this tag')
    .option('--max-windows <n>', 'windows per device at most', nonNegativeInt('--max-windows'), 4)
    .option('--max-bytes <n>', 'window-blob bytes per device at most', nonNegativeInt('--max-bytes'), 16384)
    .option(
      '--daily-budget <bytes>',
      "set each device's evidence budget (bytes per UTC day; 0 = off)",
      nonNegativeInt('--daily-budget'),
    )
    .option('--deadline <s>', 'seconds (device clock) the devices have to answer', nonNegativeInt('--deadline'), 3600)
    .option(
      '--retention-days <n>',
      'keep the windows this many days (default: the platform setting)',
      nonNegativeInt('--retention-days'),
    )
    .option('--json', 'print the request as JSON')
    .addOption(platformOption())
    .action(async (opts) => {
      if ((opts.model === undefined) === (opts.modelTag === undefined))
        throw new Error('give --model NAME@VERSION or --model-tag N');
      // Checked here: the API's answer to "gas-ethylene" alone was its validation regex.
      if (opts.model !== undefined && !/^[^@]+@[^@]+$/.test(opts.model))
        throw new Error(`--model must be NAME@VERSION, e.g. gas-ethylene@1.0.0, got ${JSON.stringify(opts.model)}`);
      const body = {
        model: opts.model,
        modelTag: opts.modelTag,
        selector: opts.select,
        ...(opts.select === 'low-margin' ? { marginQ: opts.margin } : {}),
        ...(opts.select === 'class' ? { label: opts.class } : {}),
        stream: opts.stream,
        mcu: opts.mcu,
        tag: opts.tag,
        maxWindows: opts.maxWindows,
        maxBytes: opts.maxBytes,
        dailyBudgetBytes: opts.dailyBudget,
        deadlineS: opts.deadline,
        retentionDays: opts.retentionDays,
      };
      const r = await apiRequest<EvidenceRequest>(opts.platform, 'POST', '/api/evidence/requests', body);
      process.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : `${requestTable(r)}\n`);
    });

  evidence
    .command('list')
    .description('List evidence windows (newest first), or one request with --request')
    .option('--request <id>', 'only this request (and show its devices)', nonNegativeInt('--request'))
    .option('--device <id>', 'only this device')
    .option('--unlabelled', 'only windows nobody labelled yet')
    .option('--json', 'print JSON')
    .addOption(platformOption())
    .action(async (opts) => {
      const q = new URLSearchParams();
      if (opts.request !== undefined) q.set('requestId', String(opts.request));
      if (opts.device) q.set('deviceId', opts.device);
      if (opts.unlabelled) q.set('labelled', 'false');
      const windows = await apiRequest<EvidenceWindow[]>(opts.platform, 'GET', `/api/evidence/windows?${q}`);
      const request =
        opts.request === undefined
          ? null
          : await apiRequest<EvidenceRequest>(opts.platform, 'GET', `/api/evidence/requests/${opts.request}`);
      if (opts.json) return void process.stdout.write(`${JSON.stringify({ request, windows })}\n`);
      if (request) process.stdout.write(`${requestTable(request)}\n\n`);
      process.stdout.write(
        `${renderTable(
          ['id', 'request', 'device', 'device time', 'predicted', 'score q', 'margin q', 'window', 'bytes', 'label'],
          windows.map((w) => [
            String(w.id),
            String(w.requestId),
            w.deviceId,
            w.deviceTime,
            w.predictedLabel ?? String(w.predicted),
            String(w.scoreQ),
            String(w.marginQ),
            `${w.samples}×${w.valuesPerSample} ${w.format}`,
            String(w.blobBytes),
            w.operatorLabel ?? '',
          ]),
        )}\n`,
      );
    });

  evidence
    .command('label <id> <label>')
    .description("Label one evidence window with one of its model's class names ('-' clears it)")
    .addOption(platformOption())
    .action(async (id: string, label: string, opts) => {
      const windowId = nonNegativeInt('id')(id);
      const w = await apiRequest<EvidenceWindow>(opts.platform, 'PUT', `/api/evidence/windows/${windowId}/label`, {
        label: label === '-' ? null : label,
      });
      process.stdout.write(`evidence ${w.id} from ${w.deviceId}: ${w.operatorLabel ?? 'no label'}\n`);
    });

  evidence
    .command('export <dir>')
    .description('Write the labelled windows to DIR (the file model build --add-evidence DIR reads)')
    .option('--request <id>', 'only this request', nonNegativeInt('--request'))
    .addOption(platformOption())
    .action(async (dir: string, opts) => {
      const q = opts.request === undefined ? '' : `?requestId=${opts.request}`;
      const exp = await apiRequest<EvidenceExport>(opts.platform, 'GET', `/api/evidence/export${q}`);
      // An empty file trains on nothing; it was also what a mistyped --request silently produced.
      if (exp.windows.length === 0)
        throw new Error(
          `no labelled windows${opts.request === undefined ? '' : ` in request ${opts.request}`} (unknown request, or none labelled yet: dashboard Evidence view or evidence label ID LABEL); nothing written`,
        );
      fs.mkdirSync(dir, { recursive: true });
      // Loaded here, not at start-up: --help and the other commands never touch libs/pipeline.
      const { EVIDENCE_EXPORT_FILE } = await import('@tinyfleet/pipeline/evidence/evidence-export.types');
      const file = path.join(dir, EVIDENCE_EXPORT_FILE);
      fs.writeFileSync(file, `${JSON.stringify(exp, null, 1)}\n`);
      const perLabel = new Map<string, number>();
      for (const w of exp.windows) perLabel.set(w.label, (perLabel.get(w.label) ?? 0) + 1);
      process.stdout.write(
        `${exp.windows.length} labelled windows -> ${file}${perLabel.size ? ` (${[...perLabel].map(([l, n]) => `${l} ${n}`).join(', ')})` : ''}\n`,
      );
    });
}
