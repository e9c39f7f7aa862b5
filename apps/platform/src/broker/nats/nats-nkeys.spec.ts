import { nkeys } from 'nats';
import {
  decodeSeed,
  encodePublicNkey,
  freshUserPublicKey,
  nativeKeyPair,
  NKEY_PREFIX,
  NkeyFormatError,
} from './nats-nkeys';
import type { NKeyPair } from './nats-jwt';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('nkeys on native ed25519', () => {
  it('reads the seeds nkeys writes: same public key, byte-identical signatures', () => {
    for (const make of [nkeys.createAccount, nkeys.createUser, nkeys.createOperator]) {
      for (let i = 0; i < 5; i++) {
        const theirs = make() as NKeyPair;
        const ours = nativeKeyPair(text(theirs.getSeed()));
        expect(ours.getPublicKey()).toBe(theirs.getPublicKey());
        const data = Buffer.from(`claims ${i} ${theirs.getPublicKey()}`);
        expect(Buffer.from(ours.sign(data)).toString('hex')).toBe(Buffer.from(theirs.sign(data)).toString('hex'));
        expect(nkeys.fromPublic(ours.getPublicKey()).verify(data, ours.sign(data))).toBe(true);
      }
    }
  });

  it('encodes a user public key nkeys accepts, for a key Node made', () => {
    const key = freshUserPublicKey();
    expect(key).toMatch(/^U[A-Z2-7]{55}$/);
    expect(nkeys.fromPublic(key).getPublicKey()).toBe(key);
    expect(freshUserPublicKey()).not.toBe(key);
  });

  it('decodes the key type of a seed', () => {
    const account = nkeys.createAccount() as NKeyPair;
    expect(decodeSeed(text(account.getSeed())).prefix).toBe(NKEY_PREFIX.account);
    expect(decodeSeed(text((nkeys.createUser() as NKeyPair).getSeed())).prefix).toBe(NKEY_PREFIX.user);
    expect(decodeSeed(text((nkeys.createOperator() as NKeyPair).getSeed())).prefix).toBe(NKEY_PREFIX.operator);
    const raw = decodeSeed(text(account.getSeed())).raw;
    expect(raw).toHaveLength(32);
  });

  it('refuses malformed seeds with a typed error', () => {
    const seed = text((nkeys.createAccount() as NKeyPair).getSeed());
    const flipped = seed.slice(0, 10) + (seed[10] === 'A' ? 'B' : 'A') + seed.slice(11);
    expect(() => decodeSeed(flipped)).toThrow(NkeyFormatError);
    expect(() => decodeSeed(seed.slice(0, -2))).toThrow(NkeyFormatError);
    expect(() => decodeSeed(seed.replace(/.$/, '1'))).toThrow(NkeyFormatError);
    const account = nkeys.createAccount() as NKeyPair;
    expect(() => decodeSeed(account.getPublicKey())).toThrow(NkeyFormatError);
    expect(() => encodePublicNkey(NKEY_PREFIX.user, new Uint8Array(31))).toThrow(NkeyFormatError);
  });
});
