import { Inject, Injectable, Logger } from '@nestjs/common';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashForMosquitto } from '../common/credential-hasher';
import { PlatformEvents } from '../common/platform-events';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DevicesRepository } from '../devices/devices.repository';
import { mosquittoAclFile } from '@tinyfleet/wire';

/**
 * With an external Mosquitto, the broker — not the platform — must refuse bad credentials and
 * foreign topics. This keeps Mosquitto's files in step with the database and sends Mosquitto SIGHUP
 * to reload them: `passwd` (device credentials, hashed; nothing in clear) for the devices' listener,
 * `passwd-platform` (the platform's own login) for the platform's listener, and `acl` (libs/wire's
 * rules as Mosquitto patterns). Claims are not exported: devices register at the platform's own
 * endpoint, since Mosquitto cannot stop a shared claim credential from taking over a client id.
 * See docs/external-broker.md.
 */
@Injectable()
export class MosquittoAuthExporter {
  private readonly log = new Logger(MosquittoAuthExporter.name);
  private platformEntry?: string;
  private pending: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly devices: DevicesRepository,
    private readonly events: PlatformEvents,
  ) {}

  /** Writes the files once and follows credential changes from then on. The platform's own login must be in them before it connects. */
  async start(): Promise<void> {
    const cfg = this.config.mqtt;
    if (cfg.mode !== 'external' || !cfg.mosquittoAuthDir) return;
    if (cfg.username && cfg.password) this.platformEntry = `${cfg.username}:${hashForMosquitto(cfg.password)}`;
    mkdirSync(cfg.mosquittoAuthDir, { recursive: true });
    await this.export();
    this.events.on('credentials-changed', () => void this.schedule());
  }

  /** Coalesces bursts (a thousand registrations) into a few rewrites; resolves once the current state is written. */
  schedule(): Promise<void> {
    if (this.dirty) return this.pending;
    this.dirty = true;
    this.pending = this.pending.then(async () => {
      this.dirty = false;
      await this.export().catch((err: unknown) =>
        this.log.error(`could not export Mosquitto auth files: ${String(err)}`),
      );
    });
    return this.pending;
  }

  private async export(): Promise<void> {
    const cfg = this.config.mqtt;
    if (cfg.mode !== 'external' || !cfg.mosquittoAuthDir) return;
    // Suspended and decommissioned devices are left out: Mosquitto refuses them at CONNECT.
    const devices = await this.devices.connectableCredentials();
    const passwd = devices.map((d) => `${d.id}:${d.broker_hash}`);
    writeAtomically(join(cfg.mosquittoAuthDir, 'passwd'), `${passwd.join('\n')}\n`);
    writeAtomically(join(cfg.mosquittoAuthDir, 'passwd-platform'), `${this.platformEntry ?? ''}\n`);
    writeAtomically(join(cfg.mosquittoAuthDir, 'acl'), mosquittoAclFile(cfg.username));
    this.reload(cfg.mosquittoPid);
  }

  private reload(pidSetting: string | undefined): void {
    if (!pidSetting) return;
    const pid = /^\d+$/.test(pidSetting) ? Number(pidSetting) : Number(readFileSync(pidSetting, 'utf8').trim());
    try {
      process.kill(pid, 'SIGHUP');
    } catch (err) {
      this.log.warn(`could not signal Mosquitto (pid ${pid}) to reload: ${String(err)}`);
    }
  }
}

function writeAtomically(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
