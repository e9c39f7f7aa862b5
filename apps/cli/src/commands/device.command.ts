import { Command } from 'commander';
import { apiRequest, platformOption } from '../http-client';

interface DeviceSummary {
  id: string;
  hardwareId: string;
  lifecycle: string;
  allowedActions: string[];
}

/** GET /api/devices/:id, the fields `device show` prints. */
export interface DeviceDetail extends DeviceSummary {
  mcuProfile: string;
  radioProfile: string;
  sensorStream: string;
  connectivity: string;
  firmwareVersion: string;
  interpreterVersion: string;
  lastSeenAt: string | null;
  lastStatus: { activeSlot?: number; slots?: Array<{ modelId: string; modelVersion: string } | null> } | null;
  capabilities: {
    opSetId: string;
    ops: Array<{ op: string; types: string[] | null }>;
    unknownOpCodes: number[];
    reportedAt: string;
  } | null;
}

/** The lines of `device show`: identity, the model it runs, and the op set admission checks models against. */
export function formatDeviceDetail(d: DeviceDetail): string {
  const slot = d.lastStatus?.slots?.[d.lastStatus.activeSlot ?? 0] ?? null;
  const lines = [
    `device ${d.id} (${d.hardwareId}): ${d.lifecycle}, ${d.connectivity}, last seen ${d.lastSeenAt ?? 'never'}`,
    `  hardware:    ${d.mcuProfile} / ${d.radioProfile}, stream ${d.sensorStream}`,
    `  firmware:    ${d.firmwareVersion}, interpreter ${d.interpreterVersion}`,
    `  model:       ${slot ? `${slot.modelId}@${slot.modelVersion}` : d.lastStatus ? 'none' : 'unknown (no status yet)'}`,
  ];
  const c = d.capabilities;
  if (!c) lines.push(`  op set:      not reported (rollouts check the platform's op list only)`);
  else {
    lines.push(`  op set:      ${c.opSetId}, ${c.ops.length} ops, reported ${c.reportedAt}`);
    for (const o of c.ops)
      lines.push(
        `    ${o.op.padEnd(44)} ${o.types ? o.types.join(', ') || '(no type this platform knows)' : 'any type'}`,
      );
    if (c.unknownOpCodes.length) lines.push(`    op codes newer than this platform: ${c.unknownOpCodes.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

const ACTIONS = {
  suspend: 'Suspend an ACTIVE device: its credentials are refused (its session is closed) until it is resumed',
  resume: 'Resume a SUSPENDED device: it may connect again',
  decommission:
    'Decommission a device for good: its credentials stop working and its hardware id cannot register again; its history stays',
} as const;

/** `tinyfleet device …`: operator actions on a device's lifecycle, over the platform's REST API. */
export function registerDeviceCommands(program: Command): void {
  const device = program
    .command('device')
    .description('Devices: show one (with its op set), suspend, resume or decommission one');
  device
    .command('show <id>')
    .description('Show a device: hardware, firmware, the model it runs and the op set its firmware reported')
    .option('--json', 'print the device as JSON')
    .addOption(platformOption())
    .action(async (id: string, opts) => {
      const d = await apiRequest<DeviceDetail>(opts.platform, 'GET', `/api/devices/${encodeURIComponent(id)}`);
      process.stdout.write(opts.json ? `${JSON.stringify(d)}\n` : formatDeviceDetail(d));
    });
  for (const [action, description] of Object.entries(ACTIONS)) {
    device
      .command(`${action} <id>`)
      .description(description)
      .option('--json', 'print the device as JSON')
      .addOption(platformOption())
      .action(async (id: string, opts) => {
        const d = await apiRequest<DeviceSummary>(
          opts.platform,
          'POST',
          `/api/devices/${encodeURIComponent(id)}/${action}`,
        );
        if (opts.json) return void process.stdout.write(`${JSON.stringify(d)}\n`);
        process.stdout.write(
          `device ${d.id} (${d.hardwareId}) is ${d.lifecycle}; now allowed: ${d.allowedActions.join(', ') || 'nothing, it is final'}\n`,
        );
      });
  }
}
