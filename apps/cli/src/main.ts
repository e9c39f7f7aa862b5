import { Command } from 'commander';
import { registerModelCommands } from './commands/model.command';
import { registerClaimCommands } from './commands/claim.command';
import { registerDeviceCommands } from './commands/device.command';
import { registerStartCommand } from './commands/start.command';
import { registerModelBuildCommands } from './commands/model-build.command';
import { registerModelDriftCommand } from './commands/model-drift.command';
import { registerKeysCommands } from './commands/keys.command';
import { registerDataCommands } from './commands/data.command';
import { registerSimCommands } from './commands/sim.command';
import { registerEnergyCommands } from './commands/energy.command';
import { registerOtaCommands } from './commands/ota.command';
import { registerEvidenceCommands } from './commands/evidence.command';

/**
 * `tinyfleet` — the one command-line entry point. Each feature registers its own subcommands
 * from `commands/<feature>.command.ts`, so this file only assembles them.
 */
export function buildProgram(): Command {
  const program = new Command('tinyfleet')
    .description('IoT fleet edge-inference platform: run the platform, inspect models, simulate devices.')
    .showHelpAfterError();
  registerStartCommand(program);
  registerClaimCommands(program);
  registerDeviceCommands(program);
  const model = registerModelCommands(program);
  registerModelBuildCommands(model);
  registerModelDriftCommand(model);
  registerKeysCommands(program);
  registerOtaCommands(program, model);
  registerDataCommands(program);
  registerSimCommands(program);
  registerEnergyCommands(program);
  registerEvidenceCommands(program);
  return program;
}

export async function run(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err: unknown) {
    process.stderr.write(`tinyfleet: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
