/**
 * CUSTOM:CIRCULAR_BUFFER (tensorflow/lite/micro/kernels/circular_buffer.cc, circular_buffer_common.cc), the
 * custom op of TFLM's strided streaming models: the int8 output [1, num_slots, d2, d3] holds the last num_slots
 * inputs [1, 1, d2, d3]; every invoke shifts them one slot toward the start and appends the new input. Then it
 * counts down cycles_max: until the count reaches 0 it ends the invoke there (kTfLiteAbort, see EVAL_ABORT),
 * so the rest of the model runs only every cycles_max-th invoke.
 *
 * cycles_max comes from the custom options; without it (or <= 0) TFLM picks it from the output shape: 1 when
 * num_slots is 5, 13 or 25, or for the 5th such op when the output is [., ., 2, 96]; 2 otherwise. TFLM counts
 * those ops in a static counter shared by every interpreter of the process; here they are counted within the
 * model (ops prepare in graph order), which is the same for a process that prepares one such model.
 *
 * With a second output (newer TFLM's form: a 1-element bool `valid`) the op never ends the invoke: it writes
 * whether this was a run cycle to `valid` and the rest of the model runs on every invoke.
 *
 * The slots are the op's state. TFLM keeps them only in the output tensor, which the arena may hand to other
 * tensors between invokes; this kernel keeps its own copy (host-only, not a device byte) and writes the whole
 * output from it, so the result is TFLM's whenever TFLM's output memory survives, and never depends on the
 * memory plan. The copy starts as the output starts: a variable output (newer TFLM's models) holds its zero
 * point from allocate() and again after reset() (ResetVariableTensors), any other output 0. reset() also
 * restarts the count at cycles_max (newer TFLM's CircularBufferReset; older TFLM had no Reset and kept it).
 */
import type { StructLayout } from '../memory/device-layout';
import type { OperatorInfo, TensorInfo } from '../model/model.types';
import { zeroPointOf } from '../quant/quant-params';
import { readFlexbufferMap } from '../schema/flexbuffer-reader';
import { EVAL_ABORT, EvalStatus, Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

/** circular_buffer.h OpDataCircularBuffer {cycles_until_run, cycles_max}, allocated in Init. */
const CIRCULAR_BUFFER_OP_DATA: StructLayout = { name: 'OpDataCircularBuffer', fields: ['i32', 'i32'] };

const OP = 'CUSTOM:CIRCULAR_BUFFER';

interface CircularBufferData {
  depth: number;
  slots: Int8Array;
  /** The slots' value after allocate() and reset(): a variable output's zero point; null: 0, kept by reset(). */
  resetValue: number | null;
  cyclesMax: number;
  cyclesUntilRun: number;
  /** The two-output form: report the run cycle in output 1 instead of ending the invoke. */
  hasValidOutput: boolean;
}

const VALID_OUTPUT = 1;

/** The cycles_max option of a CIRCULAR_BUFFER op (0 when it has no options, as TFLM's Init sets). */
function configuredCyclesMax(op: OperatorInfo): number {
  if (!op.customOptions) return 0;
  const v = readFlexbufferMap(op.customOptions).cycles_max;
  return typeof v === 'number' ? v : 0;
}

/** TFLM's shape rule for an op without cycles_max; `count` is its cb_prepare_count after the increment. */
function shapeRuleRunsEveryCycle(output: TensorInfo, count: number): boolean {
  const [, slots, d2, d3] = output.shape;
  return slots === 5 || slots === 13 || slots === 25 || (count === 5 && d2 === 2 && d3 === 96);
}

/** Replays TFLM's cb_prepare_count over the model's CIRCULAR_BUFFER ops up to `node` (graph order). */
function cyclesMaxFromShape(ctx: PrepareContext): number {
  let count = 0;
  for (const op of ctx.model.operators) {
    if (op.index > ctx.node.index) break;
    if (op.opName !== OP || configuredCyclesMax(op) > 0) continue;
    count++;
    const everyCycle = shapeRuleRunsEveryCycle(ctx.model.tensors[op.outputs[0]], count);
    if (op.index === ctx.node.index) return everyCycle ? 1 : 2;
    if (everyCycle) count = 0;
  }
  return 2;
}

export const circularBufferKernel: Kernel<CircularBufferData> = {
  op: OP,
  types: ['int8'],
  prepare(ctx: PrepareContext): Prepared<CircularBufferData> {
    if (ctx.inputCount() !== 1) ctx.fail('expects 1 input');
    const outputCount = ctx.node.outputs.length;
    if (outputCount !== 1 && outputCount !== 2) ctx.fail('expects 1 or 2 outputs');
    const input = ctx.input(0);
    const output = ctx.output(0);
    if (outputCount === 2) {
      const valid = ctx.output(VALID_OUTPUT);
      ctx.expectType(valid, ['bool'], 'valid output');
      if (valid.elementCount !== 1) ctx.fail(`valid output has ${valid.elementCount} elements, expects 1`);
    }
    ctx.expectType(input, ['int8'], 'input');
    ctx.expectType(output, ['int8'], 'output');
    if (input.shape.length !== 4 || output.shape.length !== 4) ctx.fail('input and output must be rank 4');
    if (input.shape[0] !== output.shape[0] || input.shape[1] !== 1 || input.shape[2] !== output.shape[2])
      ctx.fail('input must be [n, 1, d2, d3] for an output [n, slots, d2, d3]');
    if (input.shape[3] !== output.shape[3]) ctx.fail('input and output depths differ');
    const numSlots = output.shape[1];
    if (numSlots < 1) ctx.fail('output has no slots');
    let cyclesMax = 0;
    if (ctx.node.customOptions) {
      const options = ctx.customOptions();
      // The newest TFLM reads the map's first value (keys sort alphabetically), older ones `cycles_max` by name:
      // with any other key their results could differ.
      const others = Object.keys(options).filter((k) => k !== 'cycles_max');
      if (others.length > 0) ctx.fail(`custom options other than 'cycles_max': ${others.join(', ')}`);
      const v = options.cycles_max;
      if (typeof v !== 'number' || !Number.isInteger(v))
        ctx.fail("custom option 'cycles_max' missing or not an integer");
      cyclesMax = v;
    }
    if (cyclesMax <= 0) cyclesMax = cyclesMaxFromShape(ctx);
    ctx.opData(CIRCULAR_BUFFER_OP_DATA);
    const depth = output.shape[2] * output.shape[3];
    const resetValue = output.isVariable ? zeroPointOf(output) : null;
    const slots = ctx.hostOnly(new Int8Array(numSlots * depth), 'circular buffer slots');
    if (resetValue !== null) slots.fill(resetValue);
    return {
      data: { depth, slots, resetValue, cyclesMax, cyclesUntilRun: cyclesMax, hasValidOutput: outputCount === 2 },
      macs: numSlots * depth,
    };
  },
  eval(d: CircularBufferData, io: KernelIo): EvalStatus {
    const input = io.inputs[0] as Int8Array;
    const output = io.outputs[0] as Int8Array;
    const slots = d.slots;
    // memmove(output, output + depth, (slots - 1) * depth), then the input into the last slot.
    slots.copyWithin(0, d.depth);
    for (let i = 0; i < d.depth; i++) slots[slots.length - d.depth + i] = input[i];
    output.set(slots);
    // cycles_max >= 1 after prepare, so newer TFLM's `<= 0` and older TFLM's `!= 0` agree.
    const ready = --d.cyclesUntilRun <= 0;
    if (ready) d.cyclesUntilRun = d.cyclesMax;
    if (d.hasValidOutput) {
      io.outputs[VALID_OUTPUT][0] = ready ? 1 : 0;
      return;
    }
    if (!ready) return EVAL_ABORT;
  },
  reset(d: CircularBufferData): void {
    d.cyclesUntilRun = d.cyclesMax;
    if (d.resetValue !== null) d.slots.fill(d.resetValue);
  },
};
