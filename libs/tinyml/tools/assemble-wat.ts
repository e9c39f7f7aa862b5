/** wat -> wasm bytes with wabt (SIMD enabled), shared by the build script and the staleness test. */
import * as fs from 'node:fs';
import wabtInit from 'wabt';

export async function assembleWat(file: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat(path(file), fs.readFileSync(file, 'utf8'), { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

function path(file: string): string {
  return file.split('/').pop() as string;
}
