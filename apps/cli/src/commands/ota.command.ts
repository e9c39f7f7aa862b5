import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { artifactUpload, PUBLIC_KEY_FILE } from '@tinyfleet/artifact/verify-node';
import { apiRequest, platformOption } from '../http-client';
import { integerOption, nonNegativeInt, nonNegativeNumber, positiveNumber } from '../option-parsers';

interface GroupStatus {
  index: number;
  state: string;
  successThresholdPct: number;
  errorThresholdPct: number;
  jobs: Record<string, number>;
  /** Jobs a device is working on, by the platform's own list of in-flight states. */
  jobsInFlight: number;
  gateReadings: GateReadings | null;
}
interface GateSide {
  accuracyPct: number | null;
  accuracyInferences: number;
}
interface GateReadings {
  pass: boolean | null;
  breaches: string[];
  notJudged?: string[];
  updated?: GateSide;
  control?: GateSide;
}
interface RolloutStatus {
  id: number;
  name: string;
  state: string;
  stateReason: string | null;
  model: { name: string; version: string };
  groups: GroupStatus[];
  skipped: Array<{ deviceId: string; reason: string }>;
}

const TERMINAL = ['FINISHED', 'ABORTED', 'ROLLED_BACK'];

/**
 * OTA from the command line, against a running platform: push signed artifacts to the registry,
 * trust signing keys, and drive rollouts (create, watch, pause, resume, abort, roll back).
 */
export function registerOtaCommands(program: Command, model: Command): void {
  model
    .command('push <dir>')
    .description(
      'Upload a signed artifact folder (model.tflite, manifest.json, signature.json, model.tfhc) to the registry',
    )
    .addOption(platformOption())
    .action(async (dir: string, opts) => {
      const res = await apiRequest<{ name: string; version: string; sha256: string; keyId: string }>(
        opts.platform,
        'POST',
        '/api/models',
        artifactUpload(dir),
      );
      process.stdout.write(
        `registered ${res.name} ${res.version} (sha256 ${res.sha256.slice(0, 16)}…, signed by ${res.keyId})\n`,
      );
    });

  model
    .command('list')
    .description('Models in the registry')
    .option('--json', 'JSON output')
    .addOption(platformOption())
    .action(async (opts) => {
      const models = await apiRequest<
        Array<{
          name: string;
          version: string;
          sizes: { tfliteBytes: number; otaBytes: number | null };
          arenaBytes: number;
          macs: number;
        }>
      >(opts.platform, 'GET', '/api/models');
      if (opts.json) return void process.stdout.write(`${JSON.stringify(models)}\n`);
      for (const m of models)
        process.stdout.write(
          `${`${m.name} ${m.version}`.padEnd(28)} ${String(m.sizes.tfliteBytes).padStart(8)} B  OTA ${String(m.sizes.otaBytes ?? '-').padStart(8)} B  arena ${m.arenaBytes} B  ${m.macs} MACs\n`,
        );
      if (models.length === 0) process.stdout.write('the registry is empty: tinyfleet model push DIR\n');
    });

  const keys =
    program.commands.find((c) => c.name() === 'keys') ??
    program.command('keys').description('Ed25519 signing keys for model artifacts');
  keys
    .command('trust <publicKeyFile>')
    .description('Tell the platform to accept artifacts signed by this Ed25519 public key (PEM)')
    .requiredOption('--name <name>', 'what you call this key')
    .addOption(platformOption())
    .action(async (file: string, opts) => {
      const pem = readKeyFile(file);
      // The platform derives the public half of whatever PEM it gets, so a private key would have been
      // accepted: refuse it here, before it leaves this machine.
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
        throw new Error(
          `${file} is a private key; trust the public one (keys create writes it as ${PUBLIC_KEY_FILE} next to it)`,
        );
      const res = await apiRequest<{ keyId: string; name: string }>(opts.platform, 'POST', '/api/keys', {
        name: opts.name,
        publicKeyPem: pem,
      });
      // A key trusted before keeps its first name: print the one the platform holds.
      process.stdout.write(
        `trusted key ${res.keyId} (${res.name})${res.name === opts.name ? '' : ` — already trusted under that name`}\n`,
      );
    });

  const rollout = program.command('rollout').description('Staged OTA rollouts of models to the fleet');
  rollout
    .command('create')
    .description('Create and start a rollout')
    .requiredOption('--model <name@version>', 'registered model to roll out, e.g. gas-ethylene@2.0.0')
    .option('--name <name>', 'rollout name')
    .option('--stream <id>', 'only devices of this sensor stream')
    .option('--mcu-profile <id>', 'only devices with this MCU profile')
    .option('--tag <tag...>', 'only devices with these tags')
    .option('--current-model <name>', 'only devices whose active model is this one')
    .option('--groups <spec>', 'groups: counts or percents, e.g. "2,25%,100%"', '10%,100%')
    .option('--success <pct>', 'success threshold per group (%)', integerOption('--success', 1, 100), 100)
    .option('--error <pct>', 'error threshold per group (%)', integerOption('--error', 1, 100), 20)
    .option('--rate <perMinute>', 'at most this many devices notified per minute', nonNegativeInt('--rate'))
    .option('--timeout <seconds>', 'per-device timeout', nonNegativeInt('--timeout'), 600)
    .option('--attempts <n>', 'offers per device before it times out', nonNegativeInt('--attempts'), 3)
    .option(
      '--gate-score-shift <q>',
      'health gate: largest shift of the mean quantized score vs devices on the old model',
      nonNegativeNumber('--gate-score-shift'),
    )
    .option(
      '--gate-rate-change <ratio>',
      'health gate: largest relative change of events per device-hour',
      nonNegativeNumber('--gate-rate-change'),
    )
    .option(
      '--gate-energy-ratio <ratio>',
      'health gate: largest energy per inference, new ÷ old',
      positiveNumber('--gate-energy-ratio'),
    )
    .option(
      '--gate-accuracy-drop <pts>',
      'health gate: most percentage points the on-device accuracy (up/accuracy) may fall below devices on the old model',
      nonNegativeNumber('--gate-accuracy-drop'),
    )
    .option(
      '--gate-drift-psi <psi>',
      'drift gate (no ground truth): largest class-mix PSI of the new model vs its reference, e.g. 0.25',
      nonNegativeNumber('--gate-drift-psi'),
    )
    .option(
      '--gate-min-inferences <n>',
      'health gate: inferences with ground truth each side needs before accuracy is judged (default 30)',
      nonNegativeInt('--gate-min-inferences'),
    )
    .option(
      '--gate-min-devices <n>',
      'health gates: devices each side needs before any gate is judged (default 3)',
      nonNegativeInt('--gate-min-devices'),
    )
    .option('--soak <seconds>', 'health gates judge a group after it ran this long', nonNegativeInt('--soak'))
    .option('--auto-rollback', 'roll a group back automatically when a health gate fails')
    .addOption(
      new Option('--on-error <action>', 'what the error threshold does').choices(['pause', 'abort']).default('pause'),
    )
    .option('--json', 'print the created rollout as JSON')
    .addOption(platformOption())
    .action(async (opts) => {
      const [name, version] = String(opts.model).split('@');
      if (!name || !version) throw new Error(`--model must be name@version, got ${JSON.stringify(opts.model)}`);
      const gates = {
        ...(opts.gateScoreShift !== undefined ? { maxScoreShiftQ: opts.gateScoreShift } : {}),
        ...(opts.gateRateChange !== undefined ? { maxEventRateChange: opts.gateRateChange } : {}),
        ...(opts.gateEnergyRatio !== undefined ? { maxEnergyPerInferenceRatio: opts.gateEnergyRatio } : {}),
        ...(opts.gateAccuracyDrop !== undefined ? { maxAccuracyDropPct: opts.gateAccuracyDrop } : {}),
        ...(opts.gateMinInferences !== undefined ? { minAccuracyInferences: opts.gateMinInferences } : {}),
        ...(opts.gateDriftPsi !== undefined ? { maxDriftPsi: opts.gateDriftPsi } : {}),
        ...(opts.gateMinDevices !== undefined ? { minDevicesPerSide: opts.gateMinDevices } : {}),
        ...(opts.soak !== undefined ? { soakS: opts.soak } : {}),
        ...(opts.autoRollback ? { autoRollback: true } : {}),
      };
      const created = await apiRequest<RolloutStatus>(opts.platform, 'POST', '/api/rollouts', {
        name: opts.name ?? `${name} ${version}`,
        model: { name, version },
        target: { stream: opts.stream, mcuProfile: opts.mcuProfile, tags: opts.tag, currentModelId: opts.currentModel },
        groups: parseGroups(opts.groups).map((g) => ({
          ...g,
          successThresholdPct: opts.success,
          errorThresholdPct: opts.error,
        })),
        rate: opts.rate ? { type: 'constant', perMinute: opts.rate } : undefined,
        jobTimeoutS: opts.timeout,
        maxAttempts: opts.attempts,
        gates: Object.keys(gates).length ? gates : undefined,
        errorAction: opts.onError,
      });
      if (opts.json) return void process.stdout.write(`${JSON.stringify(created)}\n`);
      process.stdout.write(render(created));
      process.stdout.write(`follow it: tinyfleet rollout status ${created.id} --watch\n`);
    });

  rollout
    .command('status <id>')
    .description('Progress per group; --watch keeps it live until the rollout ends')
    .option('--watch', 'refresh every second until the rollout is finished, aborted or rolled back')
    .option('--json', 'JSON output')
    .addOption(platformOption())
    .action(async (id: string, opts) => {
      for (;;) {
        const s = await apiRequest<RolloutStatus>(opts.platform, 'GET', `/api/rollouts/${encodeURIComponent(id)}`);
        if (opts.json) process.stdout.write(`${JSON.stringify(s)}\n`);
        else if (opts.watch && process.stdout.isTTY) process.stdout.write(`\x1b[2J\x1b[H${render(s)}`);
        else process.stdout.write(render(s));
        if (!opts.watch || TERMINAL.includes(s.state)) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
    });

  rollout
    .command('list')
    .description('Rollouts, newest first')
    .addOption(platformOption())
    .action(async (opts) => {
      const all = await apiRequest<RolloutStatus[]>(opts.platform, 'GET', '/api/rollouts');
      for (const r of all)
        process.stdout.write(
          `#${String(r.id).padEnd(4)} ${r.state.padEnd(11)} ${r.model.name} ${r.model.version}  ${r.name}\n`,
        );
      if (all.length === 0) process.stdout.write('no rollouts yet: tinyfleet rollout create --model name@version\n');
    });

  for (const [verb, help] of [
    ['pause', 'Pause: no new devices are notified'],
    ['abort', 'Abort: cancel every job not finished'],
    ['rollback', 'Put every updated device back on its previous model'],
  ] as const) {
    rollout
      .command(`${verb} <id>`)
      .description(help)
      .addOption(platformOption())
      .action(async (id: string, opts) => {
        process.stdout.write(
          render(
            await apiRequest<RolloutStatus>(
              opts.platform,
              'POST',
              `/api/rollouts/${encodeURIComponent(id)}/${verb}`,
              {},
            ),
          ),
        );
      });
  }
  rollout
    .command('resume <id>')
    .description('Resume; optionally accept the current group with new thresholds')
    .option('--success <pct>', 'new success threshold for the current group', nonNegativeInt('--success'))
    .option('--error <pct>', 'new error threshold for the current group', nonNegativeInt('--error'))
    .addOption(platformOption())
    .action(async (id: string, opts) => {
      const body = { successThresholdPct: opts.success, errorThresholdPct: opts.error };
      process.stdout.write(
        render(
          await apiRequest<RolloutStatus>(
            opts.platform,
            'POST',
            `/api/rollouts/${encodeURIComponent(id)}/resume`,
            body,
          ),
        ),
      );
    });
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err,
    });
  }
}

/** "2,25%,100%" → [{count: 2}, {percent: 25}, {percent: 100}] */
export function parseGroups(spec: string): Array<{ count?: number; percent?: number }> {
  return spec.split(',').map((part) => {
    const p = part.trim();
    const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(p);
    if (!m) throw new Error(`bad group ${JSON.stringify(p)} in --groups: use counts (2) or percents (25%)`);
    // A group of 0 devices or 0 % was accepted and "finished" at once, updating nobody.
    if (Number(m[1]) === 0)
      throw new Error(`bad group ${JSON.stringify(p)} in --groups: a group needs at least one device`);
    return m[2] ? { percent: Number(m[1]) } : { count: Number(m[1]) };
  });
}

/** On-device accuracy of both sides, when the devices report it (simulated nodes do). */
function accuracyLine(r: GateReadings): string {
  const side = (x: GateSide | undefined) =>
    x?.accuracyPct == null ? '–' : `${x.accuracyPct.toFixed(1)} % (n=${x.accuracyInferences})`;
  return r.updated?.accuracyPct != null || r.control?.accuracyPct != null
    ? `; accuracy new ${side(r.updated)} vs old ${side(r.control)}`
    : '';
}

export function render(s: RolloutStatus): string {
  const model = `${s.model.name} ${s.model.version}`;
  // The default name is the model itself ("rollout #1 soil-dryout 1.0.0 — soil-dryout 1.0.0 — …"): print it once.
  const title = s.name === model ? model : `${s.name} — ${model}`;
  const lines = [`rollout #${s.id} ${title} — ${s.state}${s.stateReason ? ` (${s.stateReason})` : ''}`];
  for (const g of s.groups) {
    const j = g.jobs;
    const n = (k: string) => j[k] ?? 0;
    // Offered and not finished: NOTIFIED (no chunk asked for yet) through APPLYING — not all "downloading".
    const inFlight = g.jobsInFlight;
    const failed = n('FAILED') + n('REJECTED') + n('TIMED_OUT');
    const r = g.gateReadings;
    const verdict = !r
      ? ''
      : r.pass === true
        ? 'pass'
        : r.pass === false
          ? `FAIL ${r.breaches.join('; ')}`
          : g.state === 'RUNNING'
            ? `waiting for data (${r.notJudged?.join('; ') ?? ''})`
            : `not judged (${r.notJudged?.join('; ') ?? ''})`;
    const gate = r ? `  gates: ${verdict}${accuracyLine(r)}` : '';
    lines.push(
      `  group ${g.index + 1} ${g.state.padEnd(8)} queued ${n('QUEUED')}  in flight ${inFlight}  succeeded ${n('SUCCEEDED')}  failed ${failed}  rolled back ${n('ROLLED_BACK')}  canceled ${n('CANCELED')}  (success ≥ ${g.successThresholdPct} %, error < ${g.errorThresholdPct} %)${gate}`,
    );
  }
  if (s.skipped.length) {
    lines.push(`  skipped ${s.skipped.length}:`);
    for (const k of s.skipped.slice(0, 10)) lines.push(`    ${k.deviceId}: ${k.reason}`);
    if (s.skipped.length > 10) lines.push(`    … and ${s.skipped.length - 10} more`);
  }
  return `${lines.join('\n')}\n`;
}
