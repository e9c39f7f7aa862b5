import { Client } from 'pg';
import { BOOT_TIMEOUT_MS } from '../../../../test/support/wait';
import { EmbeddedPostgresError, startEmbeddedPostgres } from './embedded-postgres';

/** The PGlite process dying under a running platform is reported, not waited on. */
describe('startEmbeddedPostgres', () => {
  it(
    'reports a PGlite process that exits without stop() as an EmbeddedPostgresError',
    async () => {
      const pg = await startEmbeddedPostgres({ startTimeoutMs: BOOT_TIMEOUT_MS });
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      client.on('error', () => undefined); // the server goes away under it
      process.kill(pg.pid, 'SIGKILL');
      const err = await pg.exited;
      expect(err).toBeInstanceOf(EmbeddedPostgresError);
      expect(err.message).toMatch(/exited unexpectedly \(SIGKILL\).*cannot run without it/);
      await client.end().catch(() => undefined);
      await pg.stop();
    },
    BOOT_TIMEOUT_MS + 30_000,
  );

  it(
    'does not report a stop() as a failure',
    async () => {
      const pg = await startEmbeddedPostgres({ startTimeoutMs: BOOT_TIMEOUT_MS });
      let reported: Error | undefined;
      void pg.exited.then((e) => (reported = e));
      await pg.stop();
      // stop() resolved after the process's exit event: a report would have been made by now.
      await new Promise((r) => setImmediate(r));
      expect(reported).toBeUndefined();
    },
    BOOT_TIMEOUT_MS + 30_000,
  );
});
