/**
 * OpResolver: the kernels an application registers, like TFLM's MicroMutableOpResolver (AddFullyConnected(),
 * AddSoftmax(), …). The Interpreter takes one (default: every kernel); allocate() raises UnsupportedOpError
 * naming op, index and type when the model needs something the resolver lacks.
 */
import { UnsupportedOpError } from '../errors';
import { INT4_FILTER_INPUT, INT4_FILTER_OPS } from '../kernels/int4-filter';
import { KERNELS_BY_NAME } from '../kernels/kernel-registry';
import { operatorLabel } from '../kernels/kernel.types';
import type { Kernel } from '../kernels/kernel.types';
import type { Model, OperatorInfo } from '../model/model.types';
import { OP_CODES, OpSetEntry, OpSetFormatError, encodeOpSet } from './op-set';

export class OpResolver {
  private readonly entries = new Map<string, readonly string[] | null>();

  /** Every kernel this interpreter version has, for every type. */
  static all(): OpResolver {
    return new OpResolver([...KERNELS_BY_NAME.keys()].map((op) => ({ op })));
  }

  constructor(entries: readonly OpSetEntry[] = []) {
    for (const e of entries) this.add(e.op, e.types);
  }

  /** Registers an op (optionally for some input types only). Throws for an op this version cannot run. */
  add(op: string, types?: readonly string[]): this {
    if (!KERNELS_BY_NAME.has(op)) throw new OpSetFormatError(`no kernel for ${op} in this interpreter version`);
    const prev = this.entries.get(op);
    const widened = types === undefined || prev === null ? null : [...new Set([...(prev ?? []), ...types])];
    this.entries.set(op, widened);
    return this;
  }

  get ops(): string[] {
    return [...this.entries.keys()].sort();
  }

  get entryList(): OpSetEntry[] {
    return this.ops.map((op) => {
      const types = this.entries.get(op);
      return types ? { op, types: [...types] } : { op };
    });
  }

  /** The op-set identity (see op-set.ts) a device reports in its status. */
  get id(): string {
    return encodeOpSet(this.entryList);
  }

  /** The kernel for a node, or UnsupportedOpError naming op, index and the type that is missing. */
  find(model: Model, node: OperatorInfo): Kernel<unknown> {
    const kernel = KERNELS_BY_NAME.get(node.opName);
    const types = this.entries.get(node.opName);
    const type = registrationType(model, node);
    if (kernel && !kernel.types.includes(type)) {
      throw new UnsupportedOpError(
        `${operatorLabel(node)}: no ${type} kernel in this interpreter version (has ${kernel.types.join('/')})`,
        node.opName,
        node.index,
        type,
      );
    }
    if (!kernel || types === undefined) {
      throw new UnsupportedOpError(
        `unsupported operator ${node.opName} (${type}) at index ${node.index}${node.subgraph > 0 ? ` of subgraph ${node.subgraph}` : ''}${kernel ? ' (not registered in this build)' : ''}`,
        node.opName,
        node.index,
        type,
      );
    }
    if (types !== null && !types.includes(type)) {
      throw new UnsupportedOpError(
        `${operatorLabel(node)}: type ${type} not registered in this build (has ${types.join('/')})`,
        node.opName,
        node.index,
        type,
      );
    }
    const int4 = misplacedInt4(model, node);
    if (int4 !== null) {
      throw new UnsupportedOpError(
        `${operatorLabel(node)}: int4 ${int4} (TFLM reads int4 only as a constant FULLY_CONNECTED, CONV_2D or DEPTHWISE_CONV_2D filter)`,
        node.opName,
        node.index,
        'int4',
      );
    }
    return kernel;
  }
}

/**
 * An int4 tensor anywhere but the constant filter of an INT4_FILTER_OPS op ("input 0", "output 0"), else null. No
 * TFLM kernel reads or writes int4 activations; refusing here keeps every kernel's byte arithmetic on the types
 * it knows (an int4 tensor holds half a byte per element).
 */
function misplacedInt4(model: Model, node: OperatorInfo): string | null {
  const tensors = model.subgraphs[node.subgraph].tensors;
  const isInt4 = (i: number): boolean => i >= 0 && tensors[i].dtype === 'int4';
  const inputAt = node.inputs.findIndex(
    (i, k) => isInt4(i) && !(INT4_FILTER_OPS.has(node.opName) && k === INT4_FILTER_INPUT && tensors[i].data !== null),
  );
  if (inputAt >= 0) return `input ${inputAt}`;
  const outputAt = node.outputs.findIndex(isInt4);
  return outputAt >= 0 ? `output ${outputAt}` : null;
}

/**
 * Ops whose first input is not the data the kernel variant is chosen by (TRANSPOSE_CONV: 0 is the output shape;
 * SPLIT: 0 is the axis; FILL: 0 is the output shape, 1 the value; SELECT_V2: 0 is the bool condition, 1 is x;
 * EMBEDDING_LOOKUP: 0 are the ids, 1 the table).
 */
const DATA_INPUT: Readonly<Record<string, number>> = {
  TRANSPOSE_CONV: 2,
  SPLIT: 1,
  FILL: 1,
  SELECT_V2: 1,
  EMBEDDING_LOOKUP: 1,
};

/**
 * The type a TFLM kernel variant is registered for: that of the data input (else the first output; 'none' for an
 * operator without tensors, e.g. CALL_ONCE), except 'int4' for FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D with
 * an int4 filter (TFLM's Register_FULLY_CONNECTED_INT4 etc., which only an int4 filter runs on). Tensor indices are
 * looked up in the node's own subgraph.
 */
export function registrationType(model: Model, node: OperatorInfo): string {
  const tensors = model.subgraphs[node.subgraph].tensors;
  const filter = INT4_FILTER_OPS.has(node.opName) ? node.inputs[INT4_FILTER_INPUT] : undefined;
  if (filter !== undefined && filter >= 0 && tensors[filter].dtype === 'int4') return 'int4';
  const dataInput = node.inputs[DATA_INPUT[node.opName] ?? -1];
  const t =
    (dataInput !== undefined && dataInput >= 0 ? dataInput : undefined) ??
    node.inputs.find((i) => i >= 0) ??
    node.outputs[0];
  return t === undefined ? 'none' : tensors[t].dtype;
}

/** Ops (and types) a model needs, in every subgraph, for building a resolver or checking one. */
export function opsNeeded(model: Model): OpSetEntry[] {
  const byOp = new Map<string, Set<string>>();
  for (const node of model.subgraphs.flatMap((sg) => sg.operators)) {
    const set = byOp.get(node.opName) ?? new Set<string>();
    set.add(registrationType(model, node));
    byOp.set(node.opName, set);
  }
  return [...byOp.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([op, t]) => ({ op, types: [...t].sort() }));
}

/** One op a model needs that an op set lacks: absent (`has` null) or registered for other types only. */
export interface MissingOp {
  op: string;
  /** The types the model needs it for that the op set does not register. */
  types: string[];
  /** The types the op set registers it for; null when the op is not registered at all. */
  has: string[] | null;
}

/**
 * What `needed` (opsNeeded of a model) lacks in `have` (an op set), matching OpResolver.find: an op with no entry
 * is missing; an entry with a type list must hold each type a node of the model registers under.
 */
export function missingOps(needed: readonly OpSetEntry[], have: readonly OpSetEntry[]): MissingOp[] {
  const registered = new Map<string, Set<string> | null>();
  for (const e of have) {
    const prev = registered.get(e.op);
    registered.set(e.op, e.types === undefined || prev === null ? null : new Set([...(prev ?? []), ...e.types]));
  }
  const out: MissingOp[] = [];
  for (const n of needed) {
    const types = registered.get(n.op);
    if (types === undefined) out.push({ op: n.op, types: [...(n.types ?? [])], has: null });
    else if (types !== null) {
      // A needed entry without types (any) asks for the op only, which `have` registers.
      const lacking = (n.types ?? []).filter((t) => !types.has(t));
      if (lacking.length > 0) out.push({ op: n.op, types: lacking, has: [...types].sort() });
    }
  }
  return out.sort((a, b) => (a.op < b.op ? -1 : a.op > b.op ? 1 : 0));
}

/** "SOFTMAX for int16 (has int8)", "SVDF for int8" (op absent), "CAST" (absent, types unknown). */
export function describeMissingOp(m: MissingOp): string {
  const forTypes = m.types.length > 0 ? ` for ${m.types.join('/')}` : '';
  if (m.has === null) return `${m.op}${forTypes}`;
  return `${m.op}${forTypes} (has ${m.has.length > 0 ? m.has.join('/') : 'no type this platform knows'})`;
}

/**
 * The `cortex-m-int8` build's ops: every code up to TRANSPOSE (39) but CAST, DIV and the audio
 * front end. Codes never move (append-only), so this set stays what it was when the build was named.
 */
const CORTEX_M_INT8_OPS: readonly string[] = OP_CODES.slice(0, 40).filter(
  (op) => op !== 'CAST' && op !== 'DIV' && !op.startsWith('CUSTOM:'),
);

/**
 * Named device builds (data for the simulator and admission). `full`: everything this version runs.
 * `atmega328p-dense`: an 8-bit AVR with 2 KB of SRAM and 32 KB of flash only links the int8 kernels a small
 * dense classifier/regressor needs. `cortex-m-int8`: a Cortex-M build with every int8 neural-network kernel
 * (LSTM and SVDF included) and no float.
 */
export const OP_SET_BUILDS: Readonly<Record<string, readonly OpSetEntry[]>> = {
  full: OP_CODES.map((op) => ({ op })),
  'atmega328p-dense': [
    { op: 'FULLY_CONNECTED', types: ['int8'] },
    { op: 'SOFTMAX', types: ['int8'] },
    { op: 'LOGISTIC', types: ['int8'] },
    { op: 'RELU', types: ['int8'] },
    { op: 'RESHAPE' },
  ],
  // No DIV (the build was named before int8 DIV ran here) and no audio front-end ops: the front-ends also need CAST
  // and int32 arithmetic, which this build leaves out. A fixed list: its 26 int8-restricted ops (2 mask bytes
  // each) over a 5-byte bitset make exactly the 64 op-set bytes the wire carries (libs/wire device-capabilities),
  // so a later kernel cannot join it without a wider wire field or a coarser build.
  'cortex-m-int8': CORTEX_M_INT8_OPS.map((op) =>
    ['RESHAPE', 'SQUEEZE', 'DEQUANTIZE'].includes(op) ? { op } : { op, types: ['int8'] },
  ),
};

export function resolverForBuild(name: string): OpResolver {
  const entries = OP_SET_BUILDS[name];
  if (!entries) throw new OpSetFormatError(`unknown build ${name} (known: ${Object.keys(OP_SET_BUILDS).join(', ')})`);
  return new OpResolver(entries);
}
