import { Command } from 'commander';

/** `tinyfleet start`: the main job. Configuration comes from the environment (see README). */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Start the platform: HTTP API, MQTT broker and database (embedded defaults; see README for PORT, MQTT_PORT, MQTT_URL, DATABASE_URL)')
    .action(async () => {
      // Loaded on demand: the other subcommands should not pay for booting Nest's module graph.
      const { loadConfig } = await import('../../../platform/src/config/app-config');
      const { startPlatform } = await import('../../../platform/src/platform');
      const platform = await startPlatform(loadConfig());
      process.stdout.write(
        [
          '',
          `  tinyfleet is running`,
          `    dashboard & API   ${platform.httpUrl}   (OpenAPI: ${platform.httpUrl}/docs)`,
          `    MQTT for devices  ${platform.mqttUrl}`,
          `    data              ${platform.databaseLabel}`,
          `    metrics           ${platform.httpUrl}/metrics`,
          '',
          `  Register devices: npx tinyfleet claim create --name my-batch   (then see docs/protocol.md)`,
          `  Stop with Ctrl+C.`,
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.stdout.write('\n  stopping…\n');
          void platform.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
