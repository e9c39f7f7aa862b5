import { Command } from 'commander';
import { apiRequest, platformOption } from '../http-client';

interface DeviceSummary {
  id: string;
  hardwareId: string;
  lifecycle: string;
  allowedActions: string[];
}

const ACTIONS = {
  suspend: 'Suspend an ACTIVE device: its credentials are refused (its session is closed) until it is resumed',
  resume: 'Resume a SUSPENDED device: it may connect again',
  decommission:
    'Decommission a device for good: its credentials stop working and its hardware id cannot register again; its history stays',
} as const;

/** `tinyfleet device …`: operator actions on a device's lifecycle, over the platform's REST API. */
export function registerDeviceCommands(program: Command): void {
  const device = program.command('device').description('Devices: suspend, resume or decommission one');
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
