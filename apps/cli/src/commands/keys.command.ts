import { Command } from 'commander';
import * as path from 'node:path';
import { createKeyPair, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from '@tinyfleet/artifact/verify-node';

/** `tinyfleet keys create DIR`: an Ed25519 signing key pair for model artifacts. */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('Ed25519 signing keys for model artifacts');
  keys
    .command('create')
    .description('Write an Ed25519 key pair (PKCS#8 private, SPKI public, PEM) to a folder and print its key id')
    .argument('<dir>', 'folder for the key pair (created; an existing key is never overwritten)')
    .option('--json', 'print {keyId, privateKey, publicKey} as JSON')
    .action((dir: string, opts: { json?: boolean }) => {
      const key = createKeyPair(dir);
      const result = {
        keyId: key.keyId,
        privateKey: path.resolve(dir, PRIVATE_KEY_FILE),
        publicKey: path.resolve(dir, PUBLIC_KEY_FILE),
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else
        process.stdout.write(
          `key id ${key.keyId} (first 16 hex of sha256 of the raw public key)\n  private ${result.privateKey} (keep secret)\n  public  ${result.publicKey} (give to registries/devices)\n`,
        );
    });
}
