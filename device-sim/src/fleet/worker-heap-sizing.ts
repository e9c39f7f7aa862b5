/**
 * V8's memory-saving heap sizing for the fleet's worker isolates. Under a fleet's allocation rate V8
 * lets each worker's heap grow far past what its nodes hold before it collects; --optimize-for-size
 * collects sooner, for more CPU. bench:fleet, 2,000 nodes at 60× (2 Dec 12:45–12:53 UTC): worker
 * heaps 69 MB between collections instead of 150–159 MB, RSS 745 MB instead of 1,105 MB, 45 % of a
 * core instead of 42 % (both with the spawned platform, which the bench then counted in).
 * `tinyfleet sim run`, 2,000 nodes at 60× (2 Dec 18:18–18:45 UTC, a loaded machine): peak RSS 320 MB
 * instead of 770 MB, at 35–50 % of a core instead of 22–26 %.
 *
 * The flag is process-wide and applies to isolates made after the call (runFleet's workers), so only
 * a process that runs nothing but the simulator sets it — `bench:fleet` and `tinyfleet sim run`, not
 * `npm start`, whose platform shares the process with its default fleet. Both take
 * `--no-optimize-for-size` to run (and measure) without it.
 */
import * as v8 from 'node:v8';

/** Call before runFleet: its worker isolates are sized for memory rather than for throughput. */
export function optimizeWorkerHeapsForSize(): void {
  v8.setFlagsFromString('--optimize-for-size');
}
