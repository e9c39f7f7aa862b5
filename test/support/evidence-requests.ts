import type { TestPlatform } from './test-platform';
import { MIN_MS, type VirtualFleet } from './virtual-fleet';
import { waitUntil } from './wait';

export interface EvidenceRequestDevice {
  deviceId: string;
  state: string;
  reason: string | null;
  windowCount: number;
  windowsStored: number;
  plannedBytes: number;
  receivedBytes: number;
}

/** Every device of the request answered and each window it planned is stored. */
export const evidenceSettled = (r: { devices: EvidenceRequestDevice[] }) =>
  r.devices.every((d) => d.state === 'done' && d.windowsStored === d.windowCount);

/**
 * GET /api/evidence/requests/:id once the fleet has answered it: virtual time goes on in 5-minute
 * steps (the nodes answer on their own schedule, the chunks travel in real time) until every device
 * is done, for at most `maxSteps` steps. Returns the last reading; the caller asserts `evidenceSettled`.
 */
export async function settledEvidenceRequest(
  platform: TestPlatform,
  fleet: VirtualFleet,
  id: number,
  maxSteps = 40,
): Promise<{ devices: EvidenceRequestDevice[]; [field: string]: any }> {
  const request = async () => (await platform.api('GET', `/api/evidence/requests/${id}`)).body;
  let r = await request();
  for (let i = 0; i < maxSteps && !evidenceSettled(r); i++) {
    await fleet.live(5 * MIN_MS);
    r = await waitUntil(request, evidenceSettled, 500);
  }
  return r;
}
