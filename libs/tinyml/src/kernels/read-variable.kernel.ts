/** READ_VARIABLE (read_variable.cc): copies the resource variable whose id input 0 holds into the output. */
import type { MicroGraph } from '../interpreter/micro-graph';
import type { OperatorInfo } from '../model/model.types';
import { invokeFailure } from './kernel.types';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const RESOURCE_ID = 0;
const OUTPUT = 0;

interface ReadVariableData {
  graph: MicroGraph;
  node: OperatorInfo;
}

export const readVariableKernel: Kernel<ReadVariableData> = {
  op: 'READ_VARIABLE',
  types: ['resource', 'int32'],
  prepare(ctx: PrepareContext): Prepared<ReadVariableData> {
    if (ctx.inputCount() !== 1 || ctx.node.outputs.length !== 1) ctx.fail('takes one input and one output');
    const idTensor = ctx.input(RESOURCE_ID);
    if (idTensor.dtype !== 'resource' && idTensor.dtype !== 'int32')
      ctx.fail(`resource id type ${idTensor.dtype} (resource or int32)`);
    if (idTensor.elementCount !== 1) ctx.fail(`resource id has ${idTensor.elementCount} elements, needs 1`);
    ctx.output(OUTPUT);
    return { data: { graph: ctx.graph, node: ctx.node } };
  },
  eval(d: ReadVariableData, io: KernelIo): void {
    const id = (io.inputs[RESOURCE_ID] as TensorData)[0];
    const failure = d.graph.resources.read(id, d.graph.tensorBytes(d.node.subgraph, d.node.outputs[OUTPUT]));
    if (failure !== null) invokeFailure(d.node, failure);
  },
};
