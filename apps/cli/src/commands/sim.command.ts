import type { McuId, RadioId } from '@tinyfleet/energy';
import { Command, Option } from 'commander';
import type { NodeSpec } from '../../../../device-sim/src';
import { apiRequest, platformOption } from '../http-client';
import {
  addStreamFileOptions,
  planStreamFile,
  rolloutToStream,
  statusesStored,
  type StreamFilePlan,
} from './sim-stream-file';
import { positiveInt, positiveNumber } from '../option-parsers';

/**
 * `tinyfleet sim run`: a simulated fleet against a running platform. The claim is given as
 * `<claimId>:<claimSecret>` (or created on the fly through the platform's API when omitted); the MQTT
 * URL comes from the platform's `GET /health` unless `--mqtt` overrides it. `--duration` is wall-clock
 * time; `--virtual` stops after a span of virtual time instead.
 */
export function registerSimCommands(program: Command): void {
  const sim = program.command('sim').description('Simulated microcontroller fleets on real sensor recordings');
  registerLabelEvidence(sim);
  const run = sim
    .command('run')
    .description('Run N simulated nodes (worker threads, one MQTT connection each) with a live progress line')
    .addOption(platformOption())
    .option('--mqtt <url>', "broker URL the nodes connect to (default: the platform's /health mqttUrl)")
    .option('--provisioning <url>', 'where the nodes register by claim (default: /health provisioningUrl, or --mqtt)')
    .option('--claim <token>', 'claim as <claimId>:<claimSecret> (default: create one through the API)')
    .option('--devices <n>', 'number of nodes', positiveInt('--devices'), 50)
    .option(
      '--mix <mix>',
      'share per stream: soil, gas (= gas-fruit + gas-ethylene), gas-fruit, gas-ethylene, doorbell',
      'soil:40,gas:30,doorbell:30',
    )
    .option('--speed <x>', 'virtual time per real time (600: a virtual day in 2.4 min)', positiveNumber('--speed'), 600)
    .option('--duration <d>', 'wall-clock run time, e.g. 90s, 15m, 2h (default: until Ctrl+C)')
    .option('--virtual <d>', 'stop after this much virtual time instead, e.g. 1d')
    .option('--workers <n>', 'worker threads (default: one per core, at most 2)', positiveInt('--workers'))
    .option('--fleet-name <name>', 'prefix of the hardware ids; the same name brings back the same identities', 'sim')
    .option('--state-dir <dir>', 'where nodes keep their identity (default .tinyfleet/sim)')
    .option(
      '--connect-concurrency <n>',
      'registrations/connects in flight per worker',
      positiveInt('--connect-concurrency'),
      32,
    )
    .option(
      '--trust <path...>',
      'public keys (PEM files or folders) the nodes accept model signatures from over the air (default: the local dev key, .tinyfleet/keys)',
    )
    .option('--mcu <id>', 'MCU profile of every node (default: builds cycled per stream; nrf52840 with --stream-file)')
    .option(
      '--radio <id>',
      'radio profile of every node (default: builds cycled per stream; nrf52840-ble-1m with --stream-file)',
    )
    .option(
      '--gas-shuffle',
      'gas-ethylene nodes replay each UCI batch in a shuffled order (the files list it gas by gas)',
    )
    .option(
      '--gas-start-batch <n>',
      'gas-ethylene nodes reach this UCI batch (the files hold 1-6, 8, 9) after --gas-lead, one exposure apart',
      positiveInt('--gas-start-batch'),
    )
    .option('--gas-lead <d>', 'with --gas-start-batch: virtual time replayed before that batch, e.g. 30h', '0')
    .option(
      '--gas-end-batch <n>',
      'gas-ethylene nodes go no further than this UCI batch: they replay it again (the sensors stay drifted)',
      positiveInt('--gas-end-batch'),
    )
    .option('--json', 'print the final summary as JSON')
    .option(
      '--no-optimize-for-size',
      "leave V8's default heap sizing to the worker threads (by default they collect sooner: less RSS, a little more CPU)",
    )
    .addOption(
      new Option('--progress-ms <ms>', 'progress line interval').default(1000).argParser(positiveInt('--progress-ms')),
    );
  addStreamFileOptions(run).action(async (opts) => {
    // Loaded on demand: `tinyfleet --help` and the other subcommands should not pay for the simulator.
    const sim = await import('../../../../device-sim/src');
    const { planFleet, parseDurationMs, runFleet, progressLine, formatVirtualSpan } = sim;
    const setup = sim;
    const own: StreamFilePlan | null = opts.streamFile ? await planStreamFile(opts) : null;
    const specs = boards(
      own ? own.specs : planFleet(opts.fleetName, opts.devices, opts.mix),
      opts,
      await import('@tinyfleet/energy'),
    );
    if (opts.gasStartBatch && opts.gasEndBatch && opts.gasEndBatch < opts.gasStartBatch)
      throw new Error(`--gas-end-batch ${opts.gasEndBatch} comes before --gas-start-batch ${opts.gasStartBatch}`);
    const gas = opts.gasStartBatch
      ? sim.startGasNodesBefore(specs, sim.uciBatchStartRow(opts.gasStartBatch), parseDurationMs(opts.gasLead))
      : specs;
    const uci = { shuffledWithinBatches: opts.gasShuffle === true, endBatch: opts.gasEndBatch };
    const durationMs = opts.duration ? parseDurationMs(opts.duration) : undefined;
    const virtualMs = opts.virtual ? parseDurationMs(opts.virtual) : undefined;
    const { mqttUrl, provisioningUrl } = opts.mqtt
      ? { mqttUrl: opts.mqtt as string, provisioningUrl: (opts.provisioning ?? opts.mqtt) as string }
      : await setup.fetchMqttEndpoints(opts.platform);
    const claim = opts.claim
      ? setup.parseClaimToken(opts.claim)
      : await setup.createFleetClaim(opts.platform, `sim ${opts.fleetName}`);
    const tty = process.stderr.isTTY;
    let prev: import('../../../../device-sim/src').FleetStats | null = null;
    let prevAt = Date.now();
    process.stderr.write(
      `tinyfleet sim: ${specs.length} nodes (${own ? `${own.userStream.id}: ${own.userStream.file}, ${own.userStream.part} part, ${own.userStream.rateHz} Hz` : opts.mix}) at ${opts.speed}× against ${mqttUrl}\n`,
    );
    if (gas.some((s) => s.stream === 'gas-ethylene') && (opts.gasShuffle || opts.gasStartBatch || opts.gasEndBatch))
      process.stderr.write(`${gasLine(opts)}\n`);
    // Before runFleet makes the worker isolates; this process runs nothing but the simulator.
    if (opts.optimizeForSize) sim.optimizeWorkerHeapsForSize();
    const fleet = runFleet({
      specs: gas,
      uci,
      mqttUrl,
      provisioningUrl,
      claim,
      speed: opts.speed,
      dataDir: setup.defaultDataDir(),
      stateDir: opts.stateDir ?? setup.defaultStateDir(),
      modelCacheDir: setup.defaultModelCacheDir(),
      workers: opts.workers,
      connectConcurrency: opts.connectConcurrency,
      progressMs: opts.progressMs,
      trustedKeyPaths: opts.trust,
      userStream: own?.userStream,
    });
    if (own) {
      // Factory-fresh nodes: the model arrives the way it would in the field, over the air.
      await Promise.race([fleet.connected, fleet.failed]);
      await statusesStored(opts.platform, own, specs.length);
      const id = await rolloutToStream(opts.platform, own);
      process.stderr.write(
        `rollout #${id}: ${own.model.name}@${own.model.version} to stream ${own.userStream.id} (tinyfleet rollout status ${id})\n`,
      );
    }
    const ticker = setInterval(() => {
      const s = fleet.stats();
      if (!s.nodes) return;
      const now = Date.now();
      const line = progressLine(s, prev, (now - prevAt) / 1000, fleet.virtualStartMs);
      prev = s;
      prevAt = now;
      process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    }, opts.progressMs);
    const timers: NodeJS.Timeout[] = [];
    let onSignal = (): void => undefined;
    const stopWhen = new Promise<void>((resolve) => {
      onSignal = () => resolve();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      if (durationMs !== undefined) timers.push(setTimeout(resolve, durationMs));
      if (virtualMs !== undefined) timers.push(setTimeout(resolve, virtualMs / opts.speed));
    });
    try {
      await Promise.race([stopWhen, fleet.failed]);
    } finally {
      // Nothing may keep the process alive once the fleet has stopped.
      clearInterval(ticker);
      timers.forEach(clearTimeout);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    process.stderr.write(`${tty ? '\n' : ''}stopping: draining buffers…\n`);
    const final = await fleet.stop(5000);
    const summary = {
      ...final,
      virtualSpan: formatVirtualSpan(final.virtualTimeMs - fleet.virtualStartMs),
      accuracy: Object.fromEntries(
        Object.entries(final.accuracy).map(([m, a]) => [
          m,
          { ...a, accuracy: a.inferences ? a.correct / a.inferences : null },
        ]),
      ),
    };
    const days = (final.virtualTimeMs - fleet.virtualStartMs) / 86_400_000;
    Object.assign(summary, {
      eventsPerNodePerDay: days > 0 && final.nodes ? final.eventsCreated / final.nodes / days : null,
      joulesPerNodePerDay: days > 0 && final.nodes ? final.energyUj / 1e6 / final.nodes / days : null,
    });
    if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else process.stdout.write(formatSummary(summary));
    // MQTT sockets and timers are closed; leave nothing to keep the process alive.
  });
}

/** `--mcu`/`--radio`: every node on that board (a cohort of its own: model × stream × MCU × radio). */
export function boards(
  specs: NodeSpec[],
  o: { mcu?: string; radio?: string },
  known: { MCU_PROFILES: object; RADIO_PROFILES: object },
): NodeSpec[] {
  if (o.mcu !== undefined && !(o.mcu in known.MCU_PROFILES))
    throw new Error(`--mcu ${o.mcu}: not an MCU profile (${Object.keys(known.MCU_PROFILES).join(', ')})`);
  if (o.radio !== undefined && !(o.radio in known.RADIO_PROFILES))
    throw new Error(`--radio ${o.radio}: not a radio profile (${Object.keys(known.RADIO_PROFILES).join(', ')})`);
  return specs.map((s) => ({
    ...s,
    ...(o.mcu ? { mcu: o.mcu as McuId } : {}),
    ...(o.radio ? { radio: o.radio as RadioId } : {}),
  }));
}

function gasLine(o: { gasShuffle?: boolean; gasStartBatch?: number; gasLead: string; gasEndBatch?: number }): string {
  return [
    'gas-ethylene: UCI',
    o.gasShuffle ? 'each batch shuffled' : 'in file order',
    ...(o.gasStartBatch ? [`reaching batch ${o.gasStartBatch} after ${o.gasLead} of virtual time`] : []),
    ...(o.gasEndBatch ? [`then staying in batch ${o.gasEndBatch}`] : []),
  ].join(', ');
}

/**
 * `tinyfleet sim label-evidence`: labels the evidence windows of simulated gas-ethylene nodes with
 * the true gas from the UCI recording — what a person labelling field evidence would take from a lab
 * reference. The labels go through the same API the dashboard's Evidence view uses.
 */
function registerLabelEvidence(sim: Command): void {
  sim
    .command('label-evidence')
    .description(
      "Label a request's evidence windows from simulated gas-ethylene nodes with the true gas (UCI recording)",
    )
    .requiredOption('--request <id>', 'the evidence request', positiveInt('--request'))
    .addOption(platformOption())
    .action(async (opts: { request: number; platform: string }) => {
      const { UciTruth } = await import('../../../../device-sim/src');
      const truth = new UciTruth();
      const windows = await apiRequest<Array<{ id: number }>>(
        opts.platform,
        'GET',
        `/api/evidence/windows?requestId=${opts.request}`,
      );
      const counts = new Map<string, number>();
      let labelled = 0;
      for (const { id } of windows) {
        const w = await apiRequest<{ channels: string[] | null; values: number[] | null }>(
          opts.platform,
          'GET',
          `/api/evidence/windows/${id}`,
        );
        const label = w.channels && w.values ? truth.label(w.channels, w.values) : null;
        if (label) {
          await apiRequest(opts.platform, 'PUT', `/api/evidence/windows/${id}/label`, { label });
          labelled++;
        }
        counts.set(label ?? 'not in the recording', (counts.get(label ?? 'not in the recording') ?? 0) + 1);
      }
      process.stdout.write(
        `request ${opts.request}: labelled ${labelled} of ${windows.length} windows from the UCI recording${counts.size ? ` (${[...counts].map(([l, n]) => `${l} ${n}`).join(', ')})` : ''}\n`,
      );
    });
}

function formatSummary(s: Record<string, any>): string {
  const lines = [
    '',
    `  nodes ${s.nodes} (online at stop ${s.online}), virtual span ${s.virtualSpan}`,
    `  samples ${s.samples}, inferences ${s.inferences} (interpreter runs ${s.interpreterInvocations}), events ${s.eventsCreated} created / ${s.eventsAcked} acknowledged, ${s.buffered} buffered, ${s.dropped} dropped`,
    `  published: ${s.published.event} event, ${s.published.status} status, ${s.published.energy} energy, ${s.published.accuracy} accuracy, ${s.published['ota-request']} ota-request, ${s.published['ota-status']} ota-status, ${s.published.capabilities} capabilities, ${s.published.summary} summary`,
    `  over the air: ${s.otaInstalls} model(s) activated, ${s.powerLosses} write(s) cut by power loss`,
    ...(s.eventsPerNodePerDay !== null
      ? [
          `  per node and virtual day: ${s.eventsPerNodePerDay.toFixed(1)} events, ${s.joulesPerNodePerDay.toFixed(2)} J (libs/energy ledger of each node)`,
        ]
      : []),
    `  energy ${(s.energyUj / 1e6).toFixed(1)} J = compute ${(s.computeUj / 1e6).toFixed(1)} + radio ${(s.radioUj / 1e6).toFixed(1)} + sensing ${(s.sensingUj / 1e6).toFixed(1)} + sleep ${(s.sleepUj / 1e6).toFixed(1)}`,
    `  radio messages ${(s.radioMessagesUj / 1e6).toFixed(1)} J, ${s.bytesUp} B on air; raw-streaming counterfactual ${(s.rawRadioUj / 1e6).toFixed(1)} J, ${s.rawBytesUp} B (same links, same accounting; connects and keep-alives excluded from both)`,
    ...Object.entries(s.accuracy as Record<string, { inferences: number; accuracy: number | null }>).map(
      ([m, a]) =>
        `  on-node accuracy ${m}: ${a.accuracy === null ? '–' : (a.accuracy * 100).toFixed(1) + ' %'} over ${a.inferences} inferences`,
    ),
    ...Object.entries(s.refusals as Record<string, number>).map(([r, n]) => `  ${n} node(s): ${r}`),
    ...Object.entries(s.modelsMissing as Record<string, string>).map(([r, why]) => `  ${r}: ${why}`),
    ...Object.entries(s.linkErrors as Record<string, number>).map(([e, n]) => `  ${n} node(s) last link error: ${e}`),
    '',
  ];
  return lines.join('\n');
}
