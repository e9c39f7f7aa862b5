import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SeqStore } from '../node/node-ports';

/** What a node keeps in its own flash across restarts. */
export interface StoredIdentity {
  hardwareId: string;
  deviceId: string;
  secret: string;
  /** Broker the identity was issued through (informational; a refused identity is re-registered). */
  mqttUrl: string;
  /** Event seqs below this may have been used: the next boot starts here. */
  seqFloor: number;
}

/**
 * One small JSON file per hardware id under the state folder (default `.tinyfleet/sim/identities/`),
 * written atomically (temp file + rename). Node-local state, like a real device's settings page.
 */
export class IdentityStore {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private file(hardwareId: string): string {
    return path.join(this.dir, `${hardwareId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  }

  load(hardwareId: string): StoredIdentity | undefined {
    try {
      const rec = JSON.parse(fs.readFileSync(this.file(hardwareId), 'utf8')) as StoredIdentity;
      return rec.hardwareId === hardwareId ? rec : undefined;
    } catch {
      return undefined;
    }
  }

  save(rec: StoredIdentity): void {
    const f = this.file(rec.hardwareId);
    const tmp = `${f}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(rec));
    fs.renameSync(tmp, f);
  }

  /** Seq blocks persisted in the identity file (crash-safe: a block is written before it is used). */
  seqStore(hardwareId: string): SeqStore {
    return {
      reserve: (blockSize: number, atLeast: number): number => {
        const rec = this.load(hardwareId);
        const first = Math.max(rec?.seqFloor ?? 0, atLeast);
        if (rec) this.save({ ...rec, seqFloor: first + blockSize });
        else pendingFloors.set(`${this.dir}:${hardwareId}`, first + blockSize);
        return first;
      },
    };
  }

  /** Floor reserved before the identity existed (first boot, not yet registered). */
  takePendingFloor(hardwareId: string): number {
    const k = `${this.dir}:${hardwareId}`;
    const v = pendingFloors.get(k) ?? 0;
    pendingFloors.delete(k);
    return v;
  }
}

const pendingFloors = new Map<string, number>();
