import { readFileSync } from 'node:fs';
import { accountJwt, type NKeyPair, userJwt } from './nats-jwt';
import { freshUserPublicKey, nativeKeyPair, NKEY_PREFIX, NkeyFormatError, decodeSeed } from './nats-nkeys';
import { deviceNatsPermissions } from './nats-subjects';

/** The platform's own NATS user: a `.creds` file (its JWT, then its nkey seed). */
export interface PlatformCreds {
  jwt: string;
  seed: Uint8Array;
  /** The account the JWT belongs to (its issuer, or the issuer's account for a signing key). */
  account: string;
}

export class NatsCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NatsCredentialsError';
  }
}

export function readCredsFile(path: string): PlatformCreds {
  const text = readFileSync(path, 'utf8');
  const jwt = /-----BEGIN NATS USER JWT-----\s*([A-Za-z0-9_.-]+)\s*------END NATS USER JWT------/.exec(text)?.[1];
  const seed = /-----BEGIN USER NKEY SEED-----\s*(SU[A-Z2-7]+)\s*------END USER NKEY SEED------/.exec(text)?.[1];
  if (!jwt || !seed) throw new NatsCredentialsError(`${path} is not a NATS .creds file (user JWT and nkey seed)`);
  let claims: { iss?: string; nats?: { issuer_account?: string } };
  try {
    claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    throw new NatsCredentialsError(`${path}: the user JWT does not decode`);
  }
  const account = claims.nats?.issuer_account ?? claims.iss;
  if (!account?.startsWith('A')) throw new NatsCredentialsError(`${path}: the user JWT names no account issuer`);
  return { jwt, seed: new TextEncoder().encode(seed), account };
}

/** The account signing key the platform signs device users with (a file holding its `SA…` seed). */
export function readSigningKeyFile(path: string): NKeyPair {
  return readSeedFile(path, 'account');
}

/** The operator signing key the platform re-signs the application account with (a file holding its `SO…` seed). */
export function readOperatorSigningKeyFile(path: string): NKeyPair {
  return readSeedFile(path, 'operator');
}

function readSeedFile(path: string, kind: keyof typeof NKEY_PREFIX): NKeyPair {
  const seed = readFileSync(path, 'utf8').trim();
  const letter = kind === 'account' ? 'A' : 'O';
  try {
    if (!new RegExp(`^S${letter}[A-Z2-7]+$`).test(seed) || decodeSeed(seed).prefix !== NKEY_PREFIX[kind])
      throw new NkeyFormatError(`not an ${kind} seed`);
    return nativeKeyPair(seed);
  } catch (err) {
    if (!(err instanceof NkeyFormatError)) throw err;
    throw new NatsCredentialsError(`${path} does not hold an ${kind} nkey seed (S${letter}…): ${err.message}`);
  }
}

/**
 * The application account's JWT, as the cluster configuration preloads it and as the platform
 * re-signs it to revoke device users (nats-revocations.service.ts): JetStream on, the device
 * signing key, and the revoked user keys (user public key → unix time).
 */
export function applicationAccountJwt(
  issuer: NKeyPair,
  account: string,
  deviceSigningKey: string,
  opts: { revocations?: Record<string, number>; iatS?: number } = {},
): string {
  return accountJwt(issuer, account, 'TINYFLEET', { jetstream: true, signingKeys: [deviceSigningKey], ...opts });
}

/**
 * A device's credential on the NATS cluster: a bearer user JWT named after the device, signed by
 * the account signing key, that every node verifies offline. Its user key is fresh each time and its
 * private half thrown away: nothing connects with it, the JWT is the whole credential; the public
 * half names this JWT in the account's revocations.
 */
export function issueDeviceJwt(signingKey: NKeyPair, account: string, deviceId: string): DeviceJwt {
  const userKey = freshUserPublicKey();
  const jwt = userJwt(signingKey, userKey, deviceId, {
    account,
    permissions: deviceNatsPermissions(deviceId),
    connectionTypes: ['MQTT'],
    bearer: true,
  });
  return { jwt, userKey };
}

/** A device's JWT and its subject, the user key a revocation names. */
export interface DeviceJwt {
  jwt: string;
  userKey: string;
}
