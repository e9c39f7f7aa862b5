import { Command } from 'commander';
import { checkDataDir, dataDir } from '@tinyfleet/datasets';

/** `tinyfleet data check`: the data folder (FLEET_DATA_DIR) against libs/datasets/manifest.json. */
export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('Datasets used by the model pipeline (kept out of the repository)');
  data
    .command('check')
    .description('Verify every dataset file (size and sha256) and explain how to get missing ones')
    .option('--dir <dir>', 'data folder (default: FLEET_DATA_DIR, else ../shared next to the repository)')
    .option('--json', 'print the result as JSON')
    .action((opts: { dir?: string; json?: boolean }) => {
      const result = checkDataDir(opts.dir ?? dataDir());
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        const lines = [`data folder ${result.dataDir}`];
        for (const f of result.files)
          lines.push(
            `  ${f.status === 'ok' ? 'ok     ' : f.status.padEnd(7)} ${f.path}${f.detail ? ` (${f.detail})` : ''}`,
          );
        lines.push(
          result.ok ? 'all dataset files present and verified' : 'some files are missing or differ:',
          ...result.advice.map((a) => `  - ${a}`),
        );
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (!result.ok) process.exitCode = 1;
    });
}
