import { Command } from 'commander';
import * as fs from 'node:fs';
import type { Interpreter, TensorView } from '@tinyfleet/tinyml';
import { integerOption } from '../option-parsers';

// The interpreter loads when a model subcommand runs, not when the CLI starts (`tinyfleet --help`).
const tinyml = () => import('@tinyfleet/tinyml');

/**
 * `tinyfleet model …`: inspect, run and benchmark .tflite models with the tinyml interpreter.
 * createModelCommand() returns the `model` group so other features can add subcommands (build, verify, push).
 */
export function createModelCommand(): Command {
  const model = new Command('model').description(
    'Models: inspect, run and bench a .tflite on the tinyml interpreter; build, package, verify, push, list; drift',
  );

  model
    .command('inspect')
    .description('Show ops, parameters, flash and arena bytes, MACs and input/output tensors of a model')
    .argument('<model>', '.tflite file')
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { json?: boolean }) => {
      const bytes = readFile(file, 'model');
      const { inspectModel, ModelFormatError } = await tinyml();
      const { layers: _layers, ...summary } = namingFile(file, ModelFormatError, () => inspectModel(bytes));
      if (opts.json) {
        print(JSON.stringify(summary));
        return;
      }
      const lines = [
        `${file}`,
        `  flash ${summary.flashBytes} bytes (weights ${summary.weightsBytes}), arena ${summary.arenaBytes} bytes`,
        summary.memory
          ? `  device RAM ${summary.memory.totalBytes} bytes: activations ${summary.memory.activationsBytes}, ` +
            `scratch ${summary.memory.scratchBytes}, persistent ${summary.memory.persistentBytes} (32-bit TFLM layout)`
          : '  device RAM: unknown (unsupported op)',
        // Operators of every subgraph (`layers` are subgraph 0's; IF / WHILE / CALL_ONCE run the others).
        `  params ${summary.params}, MACs ${summary.macs}, ${Object.values(summary.ops).reduce((n, k) => n + k, 0)} ops`,
        `  ops: ${Object.entries(summary.ops)
          .map(([name, n]) => `${name} x${n}`)
          .join(', ')}`,
        ...summary.inputs.map((t, i) => `  input ${i}: ${describeTensor(t)}`),
        ...summary.outputs.map((t, i) => `  output ${i}: ${describeTensor(t)}`),
      ];
      print(lines.join('\n'));
    });

  model
    .command('run')
    .description('Run one inference: raw input files in, raw output files out')
    .argument('<model>', '.tflite file')
    .requiredOption('--input <files>', 'comma-separated raw input files, one per input tensor')
    .option('--output <files>', 'comma-separated files to write raw output tensors to')
    .option('--json', 'print one JSON line')
    .action(async (file: string, opts: { input: string; output?: string; json?: boolean }) => {
      const interpreter = await newInterpreter(file);
      const inputFiles = splitList(opts.input);
      if (inputFiles.length !== interpreter.inputCount) {
        throw new Error(`model has ${interpreter.inputCount} input(s), got ${inputFiles.length} input file(s)`);
      }
      inputFiles.forEach((f, i) => {
        const bytes = readFile(f, `input ${i}`);
        const tensor = interpreter.input(i);
        if (bytes.length !== tensor.bytes.length) {
          throw new Error(
            `input ${i} (${f}) has ${bytes.length} bytes, tensor ${tensor.dtype} [${tensor.shape}] needs ${tensor.bytes.length}`,
          );
        }
        tensor.bytes.set(bytes);
      });
      // False: an op ended the run early (TFLM's kTfLiteAbort, e.g. a CIRCULAR_BUFFER still filling).
      const ranToEnd = interpreter.invoke();
      const outputs = Array.from({ length: interpreter.outputCount }, (_, i) => interpreter.output(i));
      const outputFiles = opts.output ? splitList(opts.output) : [];
      if (outputFiles.length > outputs.length)
        throw new Error(`model has ${outputs.length} output(s), got ${outputFiles.length} output file(s)`);
      outputFiles.forEach((f, i) => {
        try {
          fs.writeFileSync(f, outputs[i].bytes);
        } catch (err) {
          throw new Error(`cannot write output ${i} to ${f}: ${(err as Error).message}`, { cause: err });
        }
      });
      const result = {
        ranToEnd,
        arenaBytes: interpreter.arenaBytes,
        macs: interpreter.profile().totals.macs,
        outputs: outputs.map((t) => ({
          dtype: t.dtype,
          shape: t.shape,
          scale: t.scale,
          zeroPoint: t.zeroPoint,
          values: Array.from(t.data),
        })),
      };
      if (opts.json) {
        print(JSON.stringify(result));
        return;
      }
      print(
        outputs
          .map(
            (t, i) =>
              `output ${i}: ${describeTensor(t)} argmax ${argmax(t)} values [${Array.from(t.data).slice(0, 16).join(', ')}${t.data.length > 16 ? ', …' : ''}]`,
          )
          .concat(ranToEnd ? [] : ['the run ended early (an op returned kTfLiteAbort): later ops did not run'])
          .concat(`arena ${result.arenaBytes} bytes, ${result.macs} MACs`)
          .join('\n'),
      );
    });

  model
    .command('bench')
    .description('Time repeated inferences on a zero input')
    .argument('<model>', '.tflite file')
    .option('--runs <n>', 'number of timed inferences', integerOption('--runs', 1, 100_000), 20)
    .option('--json', 'print one JSON line')
    .action(async (file: string, { runs, json }: { runs: number; json?: boolean }) => {
      const interpreter = await newInterpreter(file);
      const warmup = Math.min(5, runs);
      for (let i = 0; i < warmup; i++) interpreter.invoke();
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        interpreter.invoke();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const mid = times.length >> 1;
      const medianMs = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
      const result = {
        medianMs,
        minMs: times[0],
        runs,
        macs: interpreter.profile().totals.macs,
        arenaBytes: interpreter.arenaBytes,
      };
      if (json) print(JSON.stringify(result));
      else
        print(
          `${file}: median ${medianMs.toFixed(3)} ms, min ${result.minMs.toFixed(3)} ms over ${runs} runs; ` +
            `${result.macs} MACs (${((result.macs / medianMs) * 1e-6).toFixed(1)} GMAC/s), arena ${result.arenaBytes} bytes`,
        );
    });

  return model;
}

export function registerModelCommands(program: Command): Command {
  const model = createModelCommand();
  program.addCommand(model);
  return model;
}

async function newInterpreter(file: string): Promise<Interpreter> {
  const bytes = readFile(file, 'model');
  const { Interpreter, loadModel, ModelFormatError } = await tinyml();
  return namingFile(file, ModelFormatError, () => {
    const interpreter = new Interpreter(loadModel(bytes));
    interpreter.allocate();
    return interpreter;
  });
}

/**
 * Errors of reading and preparing a model, with the file's name: on their own they read
 * "missing TFL3 file identifier" or "unsupported operator …", naming no file.
 */
function namingFile<T>(file: string, formatError: new (...args: never[]) => Error, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const what = err instanceof formatError ? 'is not a valid .tflite model' : 'cannot be run';
    throw new Error(`${file} ${what}: ${(err as Error).message}`, { cause: err });
  }
}

function readFile(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`cannot read ${what} ${file}: ${code}`, { cause: err });
  }
}

function splitList(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function describeTensor(t: { name: string; dtype: string; shape: number[]; scale: number; zeroPoint: number }): string {
  return `${t.name} ${t.dtype} [${t.shape.join(', ')}] scale ${t.scale} zero point ${t.zeroPoint}`;
}

function argmax(t: TensorView): number {
  let best = 0;
  // First index wins ties, like TFLM examples.
  for (let i = 1; i < t.data.length; i++) if (t.data[i] > t.data[best]) best = i;
  return best;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
