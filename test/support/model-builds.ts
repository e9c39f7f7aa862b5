import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { TestPlatform } from './test-platform';

const CLI = path.resolve(__dirname, '..', '..', 'bin', 'tinyfleet.js');

/** The tinyfleet CLI in a child process; rejects (with its stdout and stderr) on a non-zero exit. */
export function tinyfleetCli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  // A pipeline build logs every epoch: more than execFile's default buffer.
  return promisify(execFile)(process.execPath, [CLI, ...args], { maxBuffer: 1 << 24 });
}

/**
 * A real pipeline build (`tinyfleet model build`) of `recipe` into `out`, signed with the key pair in
 * `keyDir`; `extra` goes before `--out` (`--quick`, `--input-of …`, `--add-evidence …`).
 */
export function buildModel(o: {
  recipe: string;
  version: string;
  out: string;
  keyDir: string;
  extra?: string[];
}): Promise<{ stdout: string; stderr: string }> {
  return tinyfleetCli([
    'model',
    'build',
    o.recipe,
    '--version',
    o.version,
    ...(o.extra ?? []),
    '--out',
    o.out,
    '--key',
    o.keyDir,
  ]);
}

/** `tinyfleet evidence export`: a request's labelled windows into `dir`, the input `--add-evidence` reads. */
export function exportLabelledEvidence(dir: string, requestId: number, platformUrl: string) {
  return tinyfleetCli(['evidence', 'export', dir, '--request', String(requestId), '--platform', platformUrl]);
}

/** The body of POST /api/models for an artifact folder (what `tinyfleet model push` sends). */
export function artifactFolderUpload(dir: string) {
  const read = (f: string) => fs.readFileSync(path.join(dir, f));
  return {
    manifest: read('manifest.json').toString('utf8'),
    signature: read('signature.json').toString('utf8'),
    model: read('model.tflite').toString('base64'),
    ota: read('model.tfhc').toString('base64'),
  };
}

/** Registers the pipeline's public key (PEM) with the platform, so that it accepts models signed with it. */
export async function trustSigningKey(platform: TestPlatform, publicKeyPem: string): Promise<void> {
  const res = await platform.api('POST', '/api/keys', { name: 'pipeline key', publicKeyPem });
  if (res.status !== 201) throw new Error(`POST /api/keys: ${res.status} ${JSON.stringify(res.body)}`);
}
