/**
 * VAR_HANDLE (var_handle.cc): names a resource variable by (container, shared_name) and outputs its id. The id
 * is created in prepare (MicroResourceVariables::CreateIdIfNoneFound), so every VAR_HANDLE naming the same
 * variable, in any subgraph, yields the same id.
 */
import type { MicroGraph } from '../interpreter/micro-graph';
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import type { Kernel, KernelIo, PrepareContext, Prepared } from './kernel.types';

/** VarHandleOptions field ids (schema.fbs). */
const VAR_HANDLE_OPTIONS = { container: 0, sharedName: 1 };
const OUTPUT = 0;

interface VarHandleData {
  resourceId: number;
}

export const varHandleKernel: Kernel<VarHandleData> = {
  op: 'VAR_HANDLE',
  types: ['resource', 'int32'],
  prepare(ctx: PrepareContext): Prepared<VarHandleData> {
    ctx.builtinData(BUILTIN_DATA.varHandle);
    ctx.opData(OP_DATA.varHandle);
    const options = ctx.options;
    // An absent container stays null (it then matches any container); an absent shared_name reads as "".
    const container =
      options?.has(VAR_HANDLE_OPTIONS.container) === true
        ? options.string(VAR_HANDLE_OPTIONS.container, 'container')
        : null;
    const sharedName = options?.string(VAR_HANDLE_OPTIONS.sharedName, 'shared_name') ?? '';
    if (ctx.inputCount() !== 0 || ctx.node.outputs.length !== 1) ctx.fail('takes no inputs and one output');
    const output = ctx.output(OUTPUT);
    if (output.dtype !== 'resource' && output.dtype !== 'int32') ctx.fail(`output type ${output.dtype} (resource)`);
    if (output.elementCount !== 1) ctx.fail(`output has ${output.elementCount} elements, needs 1`);
    const graph: MicroGraph = ctx.graph;
    const resourceId = graph.resources.createIdIfNoneFound(container, sharedName);
    graph.setResourceId(ctx.node.subgraph, ctx.node.outputs[OUTPUT], resourceId);
    return { data: { resourceId }, macs: 0 };
  },
  eval(d: VarHandleData, io: KernelIo): void {
    // TFLM points the output's data at the id in OpData; here the id is written into the output's memory.
    io.outputs[OUTPUT][0] = d.resourceId;
  },
};
