import { readFileSync } from 'node:fs';
import { type NKeyPair, userJwt } from './nats-jwt';
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
  const seed = readFileSync(path, 'utf8').trim();
  try {
    if (!/^SA[A-Z2-7]+$/.test(seed) || decodeSeed(seed).prefix !== NKEY_PREFIX.account)
      throw new NkeyFormatError('not an account seed');
    return nativeKeyPair(seed);
  } catch (err) {
    if (!(err instanceof NkeyFormatError)) throw err;
    throw new NatsCredentialsError(`${path} does not hold an account nkey seed (SA…): ${err.message}`);
  }
}

/**
 * A device's credential on the NATS cluster: a bearer user JWT named after the device, signed by
 * the account signing key, that every node verifies offline. Its user key is fresh each time and
 * thrown away: nothing connects with it, the JWT is the whole credential.
 */
export function issueDeviceJwt(signingKey: NKeyPair, account: string, deviceId: string): string {
  return userJwt(signingKey, freshUserPublicKey(), deviceId, {
    account,
    permissions: deviceNatsPermissions(deviceId),
    connectionTypes: ['MQTT'],
    bearer: true,
  });
}
