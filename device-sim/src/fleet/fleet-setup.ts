import * as path from 'node:path';
import type { ClaimCredential } from '../mqtt/provision-by-claim';

/** Repository root (device-sim/src/fleet → ../../..), same depth in dist/. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export function defaultDataDir(): string {
  return process.env.FLEET_DATA_DIR
    ? path.resolve(process.env.FLEET_DATA_DIR)
    : path.resolve(REPO_ROOT, '..', 'shared');
}

/** Node-local state (identities, seq floors) — the nodes' "flash". */
export function defaultStateDir(): string {
  return path.join(REPO_ROOT, '.tinyfleet', 'sim');
}

/** Where built model artifacts are cached (`<recipe>/…/manifest.json`). */
export function defaultModelCacheDir(): string {
  return path.join(REPO_ROOT, '.tinyfleet', 'models');
}

/**
 * The simulated nodes' trust store: the local dev signing key (`tinyfleet model build` signs with it),
 * as if it had been flashed into the nodes at manufacturing.
 */
export function defaultTrustedKeyDir(): string {
  return path.join(REPO_ROOT, '.tinyfleet', 'keys');
}

/**
 * A claim on the command line: `<claimId>:<claimSecret>` (exactly what `tinyfleet claim create`
 * prints as id and secret, joined by a colon; the id never contains one).
 */
export function parseClaimToken(token: string): ClaimCredential {
  const i = token.indexOf(':');
  if (i <= 0 || i === token.length - 1)
    throw new Error('--claim must be <claimId>:<claimSecret>, e.g. clm-abc123def456:s3cr3t…');
  return { claimId: token.slice(0, i), claimSecret: token.slice(i + 1) };
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new Error(`cannot reach the platform at ${url} (${(err as Error).message}); is it running? (npm start)`, {
      cause: err,
    });
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} failed with ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Where the platform tells devices to register and to connect (`GET /health`). */
export async function fetchMqttEndpoints(httpUrl: string): Promise<{ mqttUrl: string; provisioningUrl: string }> {
  const health = await getJson<{ mqttUrl?: string; provisioningUrl?: string }>(new URL('/health', httpUrl).toString());
  if (!health.mqttUrl) throw new Error(`${httpUrl}/health has no mqttUrl`);
  return { mqttUrl: health.mqttUrl, provisioningUrl: health.provisioningUrl ?? health.mqttUrl };
}

/** Create a claim for a simulated fleet (high registration rate: the sim registers a fleet at once). */
export async function createFleetClaim(
  httpUrl: string,
  name: string,
  rateLimitPerMinute = 100_000,
): Promise<ClaimCredential> {
  const c = await getJson<{ id: string; secret: string }>(new URL('/api/claims', httpUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, rateLimitPerMinute, tags: ['simulated'] }),
  });
  return { claimId: c.id, claimSecret: c.secret };
}
