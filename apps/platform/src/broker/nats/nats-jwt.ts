import { createHash } from 'node:crypto';

/**
 * NATS decentralised-auth JWTs (v2 claims, `ed25519-nkey` signatures), as nats-server 2.9 verifies
 * them offline on every node: an operator signs accounts, an account (or one of its signing keys)
 * signs users. Written here rather than taken from a library because the one the registry has for
 * Node (@nats-io/jwt 0.0.x) is pre-release and ESM-only; the format is small: base64url(header) .
 * base64url(claims) . base64url(ed25519 signature of the first two parts).
 */

/** A NATS permission list: subjects allowed (deny-by-default: anything not listed is refused). */
export interface SubjectPermissions {
  pub: { allow: string[] };
  sub: { allow: string[] };
}

/** An nkey pair as the `nats` package's bundled nkeys makes them (its typings say `any`). */
export interface NKeyPair {
  getPublicKey(): string;
  getSeed(): Uint8Array;
  sign(data: Uint8Array): Uint8Array;
}

const HEADER = base64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }));

/** Unlimited, for the account limits nats-server reads (-1 = no limit; JetStream on). */
const UNLIMITED_ACCOUNT = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

function base64url(s: string | Uint8Array): string {
  return Buffer.from(s).toString('base64url');
}

function sign(issuer: NKeyPair, subject: string, name: string, nats: Record<string, unknown>, iatS: number): string {
  const claims: Record<string, unknown> = { jti: '', iat: iatS, iss: issuer.getPublicKey(), name, sub: subject, nats };
  // jti: a hash of the claims without it (what the Go library does), so two tokens are told apart in logs.
  claims.jti = createHash('sha256').update(JSON.stringify(claims)).digest('base64url').slice(0, 32);
  const body = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${body}.${base64url(issuer.sign(Buffer.from(body)))}`;
}

const nowS = (): number => Math.floor(Date.now() / 1000);

/** `signingKeys`: operator signing keys that may sign accounts in the operator's place. */
export function operatorJwt(
  operator: NKeyPair,
  name: string,
  systemAccount: string,
  signingKeys: string[] = [],
): string {
  return sign(
    operator,
    operator.getPublicKey(),
    name,
    { type: 'operator', version: 2, system_account: systemAccount, signing_keys: signingKeys },
    nowS(),
  );
}

/**
 * An account JWT, signed by the operator or one of its signing keys. `revocations` maps a user
 * public key to a unix time: every user JWT with that subject issued at or before it is refused
 * (and its connections closed). A server keeps the account JWT with the newest `iat`, so a
 * re-signed one must carry a later `iatS` than the one it replaces.
 */
export function accountJwt(
  issuer: NKeyPair,
  account: string,
  name: string,
  opts: { jetstream: boolean; signingKeys?: string[]; revocations?: Record<string, number>; iatS?: number },
): string {
  const limits = opts.jetstream ? UNLIMITED_ACCOUNT : { ...UNLIMITED_ACCOUNT, mem_storage: 0, disk_storage: 0 };
  const nats: Record<string, unknown> = {
    type: 'account',
    version: 2,
    limits,
    signing_keys: opts.signingKeys ?? [],
    default_permissions: { pub: {}, sub: {} },
  };
  if (opts.revocations && Object.keys(opts.revocations).length > 0) nats.revocations = opts.revocations;
  return sign(issuer, account, name, nats, opts.iatS ?? nowS());
}

/**
 * A user JWT, signed by the account or by one of its signing keys. Without `permissions` the user
 * may use the whole account. `connectionTypes` limits how it may connect (e.g. only `MQTT`);
 * `bearer` makes the JWT itself the credential, as MQTT clients cannot sign the server's nonce.
 */
export function userJwt(
  issuer: NKeyPair,
  user: string,
  name: string,
  opts: { account: string; permissions?: SubjectPermissions; connectionTypes?: string[]; bearer?: boolean },
): string {
  const nats: Record<string, unknown> = { type: 'user', version: 2, subs: -1, data: -1, payload: -1 };
  if (issuer.getPublicKey() !== opts.account) nats.issuer_account = opts.account;
  Object.assign(nats, opts.permissions ?? { pub: {}, sub: {} });
  if (opts.connectionTypes) nats.allowed_connection_types = opts.connectionTypes;
  if (opts.bearer) nats.bearer_token = true;
  return sign(issuer, user, name, nats, nowS());
}
