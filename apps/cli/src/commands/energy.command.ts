import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { apiText, platformOption } from '../http-client';

/** `tinyfleet energy report`: the platform's energy comparison report as HTML, CSV or JSON. */
export function registerEnergyCommands(program: Command): void {
  const energy = program
    .command('energy')
    .description('Energy: edge inference vs streaming raw data, per device, stream, MCU, radio and model');

  energy
    .command('report')
    .description('Fetch the energy report (GET /api/energy/report) and write it to a file or stdout')
    .addOption(new Option('--format <format>', 'report format').choices(['html', 'csv', 'json']).default('html'))
    .option('--out <file>', 'write here instead of stdout')
    .option('--from <iso>', 'range start (ISO 8601, device virtual time)')
    .option('--to <iso>', 'range end (ISO 8601, exclusive)')
    .option('--stream <id>', 'only this sensor stream')
    .option('--mcu-profile <id>', 'only this MCU profile')
    .option('--radio-profile <id>', 'only this radio profile')
    .option('--model-version <v>', 'only devices whose active model is modelId@version (or just the version)')
    .option('--device <id>', 'only this device')
    .addOption(
      new Option(
        '--battery <id>',
        'battery for every device (default: device tag battery-<id>, else aa-alkaline-2s)',
      ).choices(['cr2032', 'aa-alkaline-2s', 'li-socl2-aa']),
    )
    .addOption(new Option('--bucket <size>', 'time-series bucket').choices(['auto', 'hour', 'day']))
    .addOption(platformOption())
    .action(async (opts) => {
      const params = new URLSearchParams({ format: opts.format });
      const add = (key: string, value: string | undefined) => value !== undefined && params.set(key, value);
      add('from', opts.from);
      add('to', opts.to);
      add('stream', opts.stream);
      add('mcuProfile', opts.mcuProfile);
      add('radioProfile', opts.radioProfile);
      add('modelVersion', opts.modelVersion);
      add('deviceId', opts.device);
      add('battery', opts.battery);
      add('bucket', opts.bucket);
      const body = await apiText(opts.platform, 'GET', `/api/energy/report?${params}`);
      if (!opts.out) return void process.stdout.write(body);
      const file = resolve(opts.out);
      writeFileSync(file, body);
      process.stderr.write(`energy report (${opts.format}, ${body.length} bytes) written to ${file}\n`);
    });
}
