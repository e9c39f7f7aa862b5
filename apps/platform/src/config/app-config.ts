import { resolve } from 'node:path';
import { CREDENTIAL_KEY_MIN_BYTES } from '../common/credential-hasher';
import { EMBEDDED_DATABASE_DEFAULT_MAX_ONLINE_DEVICES } from '../database/embedded-capacity';

/**
 * The platform's whole configuration, read from the environment once at boot. Nothing else in the
 * platform reads `process.env`: services ask for `AppConfig` (token `APP_CONFIG`).
 */
export interface AppConfig {
  http: {
    host: string;
    port: number;
    /** Bearer token the operator API (/api/*) requires; none on loopback by default. */ apiToken?: string;
  };
  /**
   * `embedded`: aedes in-process is the whole broker, on `listener`. `external`: devices use the broker at
   * `url` (the platform joins it as a client); `listener` then serves provisioning only, because a broker
   * that authenticates a shared claim credential cannot stop it from taking over any client id.
   */
  mqtt: { listener: { host: string; port: number } } & (
    | { mode: 'embedded' }
    | {
        mode: 'external';
        url: string;
        /** Where devices connect, when it is not where the platform does (Mosquitto: another listener). */
        deviceUrl: string;
        username?: string;
        password?: string;
        clientId: string;
        /** The `$share` group the consumers join: the same on every instance of one deployment (default: clientId). */
        shareGroup: string;
        /** Parallel consumer sessions sharing one `$share` subscription, so acks need not wait in line. */
        consumers: number;
        /** Messages each consumer session stores at once, acknowledged in order after commit (see pipelinedAcks). */
        consumerWindow: number;
        /** If set, the platform keeps Mosquitto's password_file and acl_file here, in step with the database. */
        mosquittoAuthDir?: string;
        /** If set, the Mosquitto process to send SIGHUP after rewriting those files (a pid, or a pid file). */
        mosquittoPid?: string;
      }
    | NatsBrokerConfig
  );
  /**
   * `embedded`: PGlite served over the Postgres wire protocol from `dataDir`; the embedded broker
   * refuses device CONNECTs beyond `maxOnlineDevices` online (database/embedded-capacity.ts).
   * `external`: `url`, with no such bound.
   */
  database: { mode: 'embedded'; dataDir: string; maxOnlineDevices: number } | { mode: 'external'; url: string };
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Inference events are kept `eventsRetentionDays` after they arrive, by dropping day partitions (0: forever). */
  ingest: { maxBatchRows: number; eventsRetentionDays: number };
  /** leaseMs: how long a running rollout stays with the instance that last ticked it (see RolloutLease). */
  ota: { chunkBytes: number; tickMs: number; leaseMs: number };
  /**
   * Label-free drift (up/summary): verdicts every `stepMs` of device time over the last `windowMs`,
   * computed every `tickMs` of platform time (0: never — tests call tick themselves). `reference`:
   * what a cohort is judged against — always the cohort's own first window on the devices
   * (`first-window`, the default), or the manifest's validation-set statistics where the model ships
   * them (`manifest`). The default because a validation split pools all the training data, which the
   * field's hours seldom match: against it gas-ethylene v1 alarmed in 47 of 76 healthy hours of
   * `npm run bench:drift`, against its own first day in none (and still caught the drift, 11 h late).
   */
  drift: { tickMs: number; windowMs: number; stepMs: number; reference: DriftReferenceMode };
  /** Evidence windows are kept `retentionDays` after they arrive; the retention sweep runs every `tickMs` (0: never). */
  evidence: { retentionDays: number; tickMs: number };
  /**
   * The HMAC key device and claim secrets are stored under (CREDENTIAL_KEY, base64, 32+ bytes).
   * Unset: the platform generates one on first boot and keeps it in the database, so every
   * instance on that database shares it; set it to keep the key out of a database dump.
   */
  credentials: { key?: Buffer };
}

/**
 * `nats`: devices use the MQTT listeners of a NATS JetStream cluster (docs/scale-out.md); every
 * platform instance shares one durable pull consumer on the stream the cluster stores QoS 1
 * publishes in, and publishes downlinks over MQTT. `listener` serves provisioning only, as with
 * an external broker.
 */
export interface NatsBrokerConfig {
  mode: 'nats';
  /** The cluster's NATS client URLs (the client fails over among them). */
  natsUrls: string[];
  /** The cluster's MQTT listeners: devices connect to any; the platform's downlink connection fails over among them. */
  mqttUrls: string[];
  /** The platform's NATS user (.creds: its JWT and nkey seed). */
  credsFile: string;
  /** The account signing key (nkey seed file) the platform signs device user JWTs with. */
  deviceSigningKeyFile: string;
  /**
   * What the platform revokes device JWTs with (NATS_OPERATOR_SIGNING_KEY, NATS_SYSTEM_CREDS): an
   * operator signing key (nkey seed file) to re-sign the application account with its revocations,
   * and a system-account user (.creds) to push it to the cluster. Unset: a replaced, suspended or
   * decommissioned device's JWT stays valid, and the platform says so at boot.
   */
  revocation?: { operatorSigningKeyFile: string; systemCredsFile: string };
  /** The durable consumer every instance shares. */
  consumer: string;
  /** Uplinks one instance has pulled and not yet acknowledged, at most. */
  maxInFlight: number;
  /** How long JetStream waits for an acknowledgement before it redelivers to any instance. */
  ackWaitMs: number;
  /**
   * Fault injection for the cluster kill tests only (TINYFLEET_FAULT_HOLD_ACKS_AFTER): after this
   * many acknowledged uplinks, store every further one and never acknowledge it, so a test can
   * kill the instance between insert and ack.
   */
  holdAcksAfter?: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];
export const DRIFT_REFERENCE_MODES = ['manifest', 'first-window'] as const;
export type DriftReferenceMode = (typeof DRIFT_REFERENCE_MODES)[number];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The embedded broker's default port. */
export const DEFAULT_MQTT_PORT = 1884;

/** Reads and validates the environment; throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];

  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      problems.push(`${name}=${JSON.stringify(raw)} is not a TCP port (an integer 0..65535; 0 picks a free port)`);
      return fallback;
    }
    return n;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const url = (name: string, protocols: string[], raw = env[name]): string | undefined => {
    if (raw === undefined || raw === '') return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      problems.push(
        `${name}=${JSON.stringify(redact(raw))} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      );
      return undefined;
    }
  };

  const dataDir = resolve(env.TINYFLEET_DATA_DIR || '.tinyfleet');
  const host = env.HOST || '127.0.0.1';
  const httpPort = port('PORT', 3000);
  // Not 1883: that is where a system Mosquitto usually already listens (it does on our CI machines),
  // and `npm start` must work next to it. MQTT_PORT=1883 takes the standard port when it is free.
  const mqttPort = port('MQTT_PORT', DEFAULT_MQTT_PORT);
  const mqttUrl = url('MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:']);
  const mqttDeviceUrl = url('MQTT_DEVICE_URL', ['mqtt:', 'mqtts:', 'tcp:']);
  if (mqttDeviceUrl && !mqttUrl)
    problems.push('MQTT_DEVICE_URL is set but MQTT_URL is not: it only applies to an external broker');
  const urlList = (name: string, protocols: string[]): string[] =>
    (env[name] ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean)
      .flatMap((u) => url(name, protocols, u) ?? []);
  const natsUrls = urlList('NATS_URL', ['nats:', 'tls:']);
  const natsMqttUrls = urlList('NATS_MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:']);
  if (natsUrls.length > 0) {
    if (mqttUrl) problems.push('NATS_URL and MQTT_URL are both set: choose the NATS cluster or one external broker');
    for (const name of ['NATS_MQTT_URL', 'NATS_CREDS', 'NATS_DEVICE_SIGNING_KEY'])
      if (!env[name]) problems.push(`NATS_URL is set but ${name} is not (docs/scale-out.md)`);
    if (!env.NATS_OPERATOR_SIGNING_KEY !== !env.NATS_SYSTEM_CREDS)
      problems.push('NATS_OPERATOR_SIGNING_KEY and NATS_SYSTEM_CREDS revoke device JWTs together: set both or neither');
  }
  const natsInFlight = int('NATS_MAX_IN_FLIGHT', 512, 1, 20000);
  const natsAckWaitMs = int('NATS_ACK_WAIT_MS', 30_000, 1000, 3_600_000);
  const holdAcksAfter = env.TINYFLEET_FAULT_HOLD_ACKS_AFTER
    ? int('TINYFLEET_FAULT_HOLD_ACKS_AFTER', 0, 0, 2 ** 31)
    : undefined;
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  // Checked even next to DATABASE_URL (a typo is one wherever it stands), applied only without it.
  const embeddedMaxOnlineDevices = int(
    'EMBEDDED_DATABASE_MAX_ONLINE_DEVICES',
    EMBEDDED_DATABASE_DEFAULT_MAX_ONLINE_DEVICES,
    1,
    1_000_000,
  );
  const logLevel = (env.LOG_LEVEL || 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL=${JSON.stringify(env.LOG_LEVEL)} must be one of ${LOG_LEVELS.join(', ')}`);
  const maxBatchRows = int('INGEST_MAX_BATCH_ROWS', 2000, 1, 20000);
  const eventsRetentionDays = int('EVENTS_RETENTION_DAYS', 90, 0, 36500);
  const consumers = int('MQTT_CONSUMERS', 4, 1, 64);
  const consumerWindow = int('MQTT_CONSUMER_WINDOW', 100, 1, 65535);
  const chunkBytes = int('OTA_CHUNK_BYTES', 2048, 64, 4096);
  const tickMs = int('OTA_TICK_MS', 1000, 0, 3_600_000);
  const leaseMs = int('OTA_LEASE_MS', 30_000, 100, 3_600_000);
  const driftTickMs = int('DRIFT_TICK_MS', 10_000, 0, 3_600_000);
  const driftWindowH = int('DRIFT_WINDOW_H', 24, 1, 24 * 90);
  const driftStepMin = int('DRIFT_STEP_MIN', 60, 1, 24 * 60);
  const driftReference = (env.DRIFT_REFERENCE || 'first-window') as DriftReferenceMode;
  if (!DRIFT_REFERENCE_MODES.includes(driftReference))
    problems.push(
      `DRIFT_REFERENCE=${JSON.stringify(env.DRIFT_REFERENCE)} must be one of ${DRIFT_REFERENCE_MODES.join(', ')}`,
    );
  const evidenceRetentionDays = int('EVIDENCE_RETENTION_DAYS', 30, 1, 3650);
  const evidenceTickMs = int('EVIDENCE_TICK_MS', 60_000, 0, 86_400_000);
  const credentialKey = base64Key('CREDENTIAL_KEY', env.CREDENTIAL_KEY, problems);
  const apiToken = env.API_TOKEN || undefined;
  if (apiToken !== undefined && apiToken.length < 16) problems.push('API_TOKEN must be at least 16 characters');
  if (!apiToken && !LOOPBACK_HOSTS.includes(host)) {
    problems.push(
      `HOST=${JSON.stringify(host)} exposes the operator API beyond this machine: set API_TOKEN (16+ characters) too`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    http: { host, port: httpPort, apiToken },
    mqtt: natsUrls.length
      ? {
          listener: { host, port: mqttPort },
          mode: 'nats',
          natsUrls,
          mqttUrls: natsMqttUrls,
          credsFile: resolve(env.NATS_CREDS!),
          deviceSigningKeyFile: resolve(env.NATS_DEVICE_SIGNING_KEY!),
          revocation:
            env.NATS_OPERATOR_SIGNING_KEY && env.NATS_SYSTEM_CREDS
              ? {
                  operatorSigningKeyFile: resolve(env.NATS_OPERATOR_SIGNING_KEY),
                  systemCredsFile: resolve(env.NATS_SYSTEM_CREDS),
                }
              : undefined,
          consumer: env.NATS_CONSUMER || 'tinyfleet-ingest',
          maxInFlight: natsInFlight,
          ackWaitMs: natsAckWaitMs,
          holdAcksAfter,
        }
      : mqttUrl
        ? {
            listener: { host, port: mqttPort },
            mode: 'external',
            url: mqttUrl,
            deviceUrl: mqttDeviceUrl ?? mqttUrl,
            username: env.MQTT_USERNAME || undefined,
            password: env.MQTT_PASSWORD || undefined,
            clientId: env.MQTT_CLIENT_ID || 'tinyfleet-platform',
            shareGroup: env.MQTT_SHARE_GROUP || env.MQTT_CLIENT_ID || 'tinyfleet-platform',
            consumers,
            consumerWindow,
            mosquittoAuthDir: env.MOSQUITTO_AUTH_DIR ? resolve(env.MOSQUITTO_AUTH_DIR) : undefined,
            mosquittoPid: env.MOSQUITTO_PID || undefined,
          }
        : { listener: { host, port: mqttPort }, mode: 'embedded' },
    database: databaseUrl
      ? { mode: 'external', url: databaseUrl }
      : { mode: 'embedded', dataDir: resolve(dataDir, 'pgdata'), maxOnlineDevices: embeddedMaxOnlineDevices },
    dataDir,
    logLevel,
    ingest: { maxBatchRows, eventsRetentionDays },
    ota: { chunkBytes, tickMs, leaseMs },
    drift: {
      tickMs: driftTickMs,
      windowMs: driftWindowH * 3_600_000,
      stepMs: driftStepMin * 60_000,
      reference: driftReference,
    },
    evidence: { retentionDays: evidenceRetentionDays, tickMs: evidenceTickMs },
    credentials: { key: credentialKey },
  };
}

function base64Key(name: string, raw: string | undefined, problems: string[]): Buffer | undefined {
  if (raw === undefined || raw === '') return undefined;
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : Buffer.alloc(0);
  if (bytes.length < CREDENTIAL_KEY_MIN_BYTES) {
    problems.push(
      `${name} must be base64 of at least ${CREDENTIAL_KEY_MIN_BYTES} random bytes (openssl rand -base64 32)`,
    );
    return undefined;
  }
  return bytes;
}

/** Hides the password part of a URL before it reaches a log or an error message. */
export function redact(rawUrl: string): string {
  return rawUrl.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
