import { Command, InvalidArgumentError, Option } from 'commander';
import { apiRequest, platformOption } from '../http-client';

interface ClaimSummary {
  id: string;
  name: string;
  state: string;
  uses: number;
  maxUses: number | null;
  expiresAt: string | null;
  reregistrationPolicy: string;
  secret?: string;
}

/** `tinyfleet claim …`: provisioning claims on a running platform, over its REST API. */
export function registerClaimCommands(program: Command): void {
  const claim = program
    .command('claim')
    .description('Provisioning claims: the bootstrap credential devices exchange for their own');

  claim
    .command('create')
    .description('Create a claim and print its secret (shown once)')
    .requiredOption('--name <name>', 'what you call this batch of devices')
    .option('--max-uses <n>', 'how many devices may register with it', parsePositiveInt)
    .option('--ttl <seconds>', 'lifetime in seconds', parsePositiveInt)
    .option('--mcu-profile <id>', 'only devices with this MCU profile')
    .option('--sensor-stream <id>', 'only devices with this sensor stream')
    .addOption(
      new Option('--policy <policy>', 'when a known hardware id registers again')
        .choices(['reuse', 'replace', 'refuse'])
        .default('replace'),
    )
    .option('--rate <perMinute>', 'registrations per minute', parsePositiveInt)
    .option('--group <name>', "claims of one group may re-register each other's devices (default: this claim only)")
    .option('--json', 'print the created claim as JSON')
    .addOption(platformOption())
    .action(async (opts) => {
      const created = await apiRequest<ClaimSummary>(opts.platform, 'POST', '/api/claims', {
        name: opts.name,
        maxUses: opts.maxUses,
        ttlS: opts.ttl,
        mcuProfile: opts.mcuProfile,
        sensorStream: opts.sensorStream,
        reregistrationPolicy: opts.policy,
        rateLimitPerMinute: opts.rate,
        group: opts.group,
      });
      if (opts.json) return void process.stdout.write(`${JSON.stringify(created)}\n`);
      process.stdout.write(
        [
          `claim ${created.id} created (${created.name})`,
          `  MQTT username  ${created.id}`,
          `  MQTT password  ${created.secret}`,
          `  uses           ${created.maxUses ?? 'unlimited'}, expires ${created.expiresAt ?? 'never'}, re-registration: ${created.reregistrationPolicy}`,
          `The secret is shown only now; the platform keeps a hash.`,
          '',
        ].join('\n'),
      );
    });

  claim
    .command('list')
    .description('List claims')
    .option('--json', 'JSON output')
    .addOption(platformOption())
    .action(async (opts) => {
      const claims = await apiRequest<ClaimSummary[]>(opts.platform, 'GET', '/api/claims');
      if (opts.json) return void process.stdout.write(`${JSON.stringify(claims)}\n`);
      for (const c of claims)
        process.stdout.write(
          `${c.id}  ${c.state.padEnd(9)}  ${String(c.uses).padStart(5)}/${c.maxUses ?? '∞'}  ${c.name}\n`,
        );
      if (claims.length === 0) process.stdout.write('no claims yet: tinyfleet claim create --name <name>\n');
    });

  claim
    .command('revoke <id>')
    .description('Revoke a claim: no further registrations with it')
    .addOption(platformOption())
    .action(async (id: string, opts) => {
      await apiRequest(opts.platform, 'PATCH', `/api/claims/${encodeURIComponent(id)}`, { revoked: true });
      process.stdout.write(`claim ${id} revoked\n`);
    });
}

// InvalidArgumentError, not Error: commander then names the option in the message (`option '--ttl <seconds>'
// argument '0' is invalid`), which a plain Error thrown here would not.
function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}
