import { Command } from 'commander';

/** `tinyfleet start`: the main job. Configuration comes from the environment (see README). */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'Start the platform: HTTP API, MQTT broker and database (embedded defaults; see README for PORT, MQTT_PORT, MQTT_URL, DATABASE_URL)',
    )
    .option('--no-fleet', 'do not start the default simulated fleet (same as TINYFLEET_FLEET=0)')
    .action(async (opts: { fleet: boolean }) => {
      // Loaded on demand: the other subcommands should not pay for booting Nest's module graph.
      const { loadConfig, startPlatform } = await import('../../../platform/src');
      // The console is the newcomer's view (banner, fleet lines): the framework's info logs would bury it.
      const platform = await startPlatform(loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || 'warn' }));
      // The default simulated fleet (device-sim): two dozen nodes so a newcomer sees a living fleet.
      const wantFleet = opts.fleet !== false && process.env.TINYFLEET_FLEET !== '0';
      const fleet = wantFleet
        ? await import('../../../../device-sim/src')
            .then(async ({ startDefaultFleet, defaultDataDir }) =>
              startDefaultFleet({
                httpUrl: platform.httpUrl,
                mqttUrl: platform.mqttUrl,
                provisioningUrl: platform.provisioningUrl,
                dataDir: defaultDataDir(),
                log: (l) => process.stdout.write(`  ${l}\n`),
              }),
            )
            .catch((err: Error) => (process.stdout.write(`  simulated fleet not started: ${err.message}\n`), null))
        : null;
      process.stdout.write(
        [
          '',
          `  tinyfleet is running`,
          `    dashboard & API   ${platform.httpUrl}   (OpenAPI: ${platform.httpUrl}/docs)`,
          `    MQTT for devices  ${platform.mqttUrl}`,
          ...(platform.provisioningUrl !== platform.mqttUrl
            ? [`    registration      ${platform.provisioningUrl}   (claims; devices then use the broker above)`]
            : []),
          `    data              ${platform.databaseLabel}`,
          `    metrics           ${platform.httpUrl}/metrics`,
          `    logs              ${process.env.LOG_LEVEL ? `LOG_LEVEL=${process.env.LOG_LEVEL}` : 'warnings and errors (LOG_LEVEL=info for all)'}`,
          fleet
            ? `    simulated fleet   ${fleet.devices} nodes (soil, gas, doorbell) at 60× virtual time; --no-fleet to skip`
            : `    simulated fleet   off`,
          '',
          `  Register devices: npx tinyfleet claim create --name my-batch   (then see docs/protocol.md)`,
          `  Stop with Ctrl+C.`,
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.stdout.write('\n  stopping…\n');
          void Promise.resolve(fleet?.stop())
            .catch(() => undefined)
            .then(() => platform.close())
            .then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        void platform.failed.then((err) => {
          process.stderr.write(`\n  tinyfleet cannot go on: ${err.message}\n`);
          process.exitCode = 1;
          stop();
        });
      });
    });
}
