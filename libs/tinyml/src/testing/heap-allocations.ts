/**
 * Bytes the interpreter allocates on the JS heap per call of `fn` (node-only; bench:interpreter), with V8's
 * sampling heap profiler (inspector HeapProfiler.startSampling, objects later collected by GC included). An
 * allocation counts when a frame of its stack (inlined frames included) is interpreter code: a file under
 * libs/tinyml/src outside testing/. The harness, the readings and the profiler's own messages therefore do
 * not count. With an 8-byte sampling interval the estimate is unbiased; code that allocates nothing reads 0.
 */
import * as inspector from 'node:inspector';

interface ProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: ProfileNode[];
}

const SAMPLING_INTERVAL_BYTES = 8;

function post<T>(session: inspector.Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))),
  );
}

function isInterpreterCode(url: string): boolean {
  const at = url.replace(/\\/g, '/').indexOf('/libs/tinyml/src/');
  return at >= 0 && !url.slice(at).startsWith('/libs/tinyml/src/testing/');
}

/** Self bytes of every node at or below the first interpreter frame of each path. */
function interpreterBytes(node: ProfileNode, inside: boolean): number {
  const here = inside || isInterpreterCode(node.callFrame.url);
  let sum = here ? node.selfSize : 0;
  for (const c of node.children) sum += interpreterBytes(c, here);
  return sum;
}

/**
 * Warm up through the very loop that is measured: code warmed elsewhere (e.g. inlined into a caller's hot
 * loop) can still run unoptimized when called from here, and unoptimized code boxes numbers.
 */
export async function allocatedBytesPerCall(fn: () => void, calls: number, warmupCalls = 2 * calls): Promise<number> {
  measuredLoop(fn, warmupCalls);
  const session = new inspector.Session();
  session.connect();
  try {
    await post(session, 'HeapProfiler.enable');
    await post(session, 'HeapProfiler.startSampling', {
      samplingInterval: SAMPLING_INTERVAL_BYTES,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    measuredLoop(fn, calls);
    const { profile } = await post<{ profile: { head: ProfileNode } }>(session, 'HeapProfiler.stopSampling');
    return interpreterBytes(profile.head, false) / calls;
  } finally {
    session.disconnect();
  }
}

function measuredLoop(fn: () => void, calls: number): void {
  for (let i = 0; i < calls; i++) fn();
}
