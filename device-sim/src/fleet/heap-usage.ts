import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** What this thread's V8 isolate holds after a full GC (bytes); rss is the whole process's. */
export interface HeapUsage {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Memory of Buffers and typed arrays outside the V8 heap (arrayBuffers included). */
  external: number;
  arrayBuffers: number;
}

// A collector callable without starting node with --expose-gc (bench:fleet, fleet workers): the flag
// set at run time applies to contexts made after it.
let collect: (() => void) | null = null;

/** process.memoryUsage() of this thread after two full GCs (the second frees what finalizers released). */
export function heapUsageAfterGc(): HeapUsage {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
  collect();
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
}
