/**
 * TFLM's MicroResourceVariables (micro_resource_variable.cc): the buffers behind resource variables, which keep
 * their contents across invokes. VAR_HANDLE creates an id per (container, shared_name) pair in Prepare,
 * ASSIGN_VARIABLE's Prepare allocates the buffer (the assigned tensor's size, filled with its zero point), then
 * ASSIGN_VARIABLE / READ_VARIABLE copy into and out of it in Eval.
 */

interface ResourceVariable {
  /** null when the VAR_HANDLE that created it had no container (TFLM keeps the null pointer). */
  container: string | null;
  sharedName: string;
  buffer: Uint8Array | null;
  /** TFLM's default_value: the assigned tensor's first zero point cast to int8, else 0 (memset byte). */
  defaultByte: number;
}

/** Why an access failed, in TFLM's words; the caller turns it into a typed error naming the op. */
export type ResourceFailure = string;

export class ResourceVariables {
  private readonly variables: ResourceVariable[] = [];

  /** How many ids were created: TFLM sizes MicroResourceVariables' array for this many (the device figure). */
  get count(): number {
    return this.variables.length;
  }

  /**
   * CreateIdIfNoneFound: the id of the pair, created if new. A lookup without a container matches any container
   * (TFLM: "some TFLite flatbuffers contain null container names to save space").
   */
  createIdIfNoneFound(container: string | null, sharedName: string): number {
    const found = this.variables.findIndex(
      (v) => (container === null || container === v.container) && sharedName === v.sharedName,
    );
    if (found >= 0) return found;
    this.variables.push({ container, sharedName, buffer: null, defaultByte: 0 });
    return this.variables.length - 1;
  }

  isAllocated(id: number): boolean {
    return this.variables[id]?.buffer != null;
  }

  /**
   * Allocate (ASSIGN_VARIABLE Prepare): keeps `buffer` (persistent memory of the assigned tensor's size) for the
   * id unless one is already there, and fills it with `defaultByte`.
   */
  allocate(id: number, buffer: Uint8Array, defaultByte: number): ResourceFailure | null {
    const v = this.variables[id];
    if (v === undefined) return `resource variable ${id} does not exist (${this.count} created)`;
    if (v.buffer !== null) return null;
    v.buffer = buffer;
    v.defaultByte = defaultByte & 0xff;
    buffer.fill(v.defaultByte);
    return null;
  }

  /** Assign: copies `value` into the variable's buffer. Allocation-free. */
  assign(id: number, value: Uint8Array): ResourceFailure | null {
    const v = this.variables[id];
    if (v === undefined) return `resource variable ${id} does not exist (${this.count} created)`;
    if (v.buffer === null) return `resource variable ${id} is assigned before its buffer was allocated`;
    if (value.length !== v.buffer.length) {
      return `resource variable ${id} holds ${v.buffer.length} bytes, assigned ${value.length}`;
    }
    v.buffer.set(value);
    return null;
  }

  /** Read: copies the variable's buffer into `out`. Allocation-free. */
  read(id: number, out: Uint8Array): ResourceFailure | null {
    const v = this.variables[id];
    if (v === undefined) return `resource variable ${id} does not exist (${this.count} created)`;
    if (v.buffer === null) return `resource variable ${id} is read before anything was assigned to it`;
    if (out.length !== v.buffer.length)
      return `resource variable ${id} holds ${v.buffer.length} bytes, read ${out.length}`;
    out.set(v.buffer);
    return null;
  }

  /** ResetAll (MicroInterpreter::Reset): every buffer back to its default byte. */
  resetAll(): void {
    for (const v of this.variables) v.buffer?.fill(v.defaultByte);
  }
}
