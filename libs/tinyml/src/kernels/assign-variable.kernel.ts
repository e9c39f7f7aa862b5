/**
 * ASSIGN_VARIABLE (assign_variable.cc): copies input 1 into the resource variable whose id input 0 holds. Prepare
 * allocates the variable's buffer (the value's size, filled with its zero point) when the id is known then: from
 * a VAR_HANDLE prepared earlier in the same subgraph or a constant. Otherwise (the id arrives from another
 * subgraph) the buffer must come from another ASSIGN_VARIABLE, as in TFLM.
 */
import type { MicroGraph } from '../interpreter/micro-graph';
import type { OperatorInfo } from '../model/model.types';
import { invokeFailure } from './kernel.types';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const RESOURCE_ID = 0;
const VALUE = 1;

interface AssignVariableData {
  graph: MicroGraph;
  node: OperatorInfo;
}

export const assignVariableKernel: Kernel<AssignVariableData> = {
  op: 'ASSIGN_VARIABLE',
  types: ['resource', 'int32'],
  prepare(ctx: PrepareContext): Prepared<AssignVariableData> {
    if (ctx.inputCount() !== 2 || ctx.node.outputs.length !== 0) ctx.fail('takes two inputs and no outputs');
    const idTensor = ctx.input(RESOURCE_ID);
    if (idTensor.dtype !== 'resource' && idTensor.dtype !== 'int32')
      ctx.fail(`resource id type ${idTensor.dtype} (resource or int32)`);
    if (idTensor.elementCount !== 1) ctx.fail(`resource id has ${idTensor.elementCount} elements, needs 1`);
    const value = ctx.input(VALUE);
    const graph = ctx.graph;
    const id = idTensor.data
      ? new Int32Array(idTensor.data.buffer, idTensor.data.byteOffset, 1)[0]
      : graph.resourceId(ctx.node.subgraph, ctx.node.inputs[RESOURCE_ID]);
    if (id !== undefined) {
      if (!(id >= 0 && id < graph.resources.count))
        ctx.fail(`resource variable ${id} does not exist (${graph.resources.count} created)`);
      if (!graph.resources.isAllocated(id)) {
        // MicroResourceVariables::Allocate: AllocatePersistentBuffer(tensor->bytes), memset to the zero point.
        const buffer = ctx.persistentArray('int8', value.byteLength, 'resource variable buffer');
        const defaultByte = value.quantization?.zeroPoints[0] ?? 0;
        graph.resources.allocate(id, new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), defaultByte);
      }
    }
    return { data: { graph, node: ctx.node }, macs: 0 };
  },
  eval(d: AssignVariableData, io: KernelIo): void {
    const id = (io.inputs[RESOURCE_ID] as TensorData)[0];
    const failure = d.graph.resources.assign(id, d.graph.tensorBytes(d.node.subgraph, d.node.inputs[VALUE]));
    if (failure !== null) invokeFailure(d.node, failure);
  },
};
