import { loadConfig } from './config/app-config';
import { startPlatform } from './platform';

/** `node -r ./bin/register.js apps/platform/src/main.ts`: the platform alone (no simulated fleet). */
async function main(): Promise<void> {
  const platform = await startPlatform(loadConfig());
  process.stdout.write(
    `tinyfleet platform: ${platform.httpUrl} (API docs ${platform.httpUrl}/docs), MQTT ${platform.mqttUrl}, data: ${platform.databaseLabel}\n`,
  );
  void platform.failed.then(async (err) => {
    process.stderr.write(`tinyfleet platform stopping: ${err.message}\n`);
    await platform.close().catch(() => undefined);
    process.exit(1);
  });
  const stop = (): void => void platform.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
