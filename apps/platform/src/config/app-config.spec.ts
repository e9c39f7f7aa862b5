import { resolve } from 'node:path';
import { ConfigError, loadConfig, redact } from './app-config';

describe('loadConfig', () => {
  it('defaults to the embedded everything on the documented ports', () => {
    const sut = loadConfig({});
    expect(sut.http).toEqual({ host: '127.0.0.1', port: 3000, apiToken: undefined });
    expect(sut.mqtt).toEqual({ mode: 'embedded', listener: { host: '127.0.0.1', port: 1884 } });
    expect(sut.database).toEqual({
      mode: 'embedded',
      dataDir: resolve('.tinyfleet', 'pgdata'),
      maxOnlineDevices: 4000,
    });
    expect(sut.logLevel).toBe('info');
    expect(sut.ingest).toEqual({ maxBatchRows: 2000, eventsRetentionDays: 90 });
    expect(loadConfig({ EVENTS_RETENTION_DAYS: '0' }).ingest.eventsRetentionDays).toBe(0);
  });

  it("judges drift against each cohort's own first window unless DRIFT_REFERENCE=manifest", () => {
    expect(loadConfig({}).drift).toEqual({
      tickMs: 10_000,
      windowMs: 24 * 3_600_000,
      stepMs: 3_600_000,
      reference: 'first-window',
    });
    expect(loadConfig({ DRIFT_REFERENCE: 'manifest' }).drift.reference).toBe('manifest');
    expect(loadConfig({ DRIFT_REFERENCE: 'first-window' }).drift.reference).toBe('first-window');
    expect(() => loadConfig({ DRIFT_REFERENCE: 'validation' })).toThrow(
      'DRIFT_REFERENCE="validation" must be one of manifest, first-window',
    );
  });

  it('switches to an external broker and a real PostgreSQL by URL', () => {
    const sut = loadConfig({
      MQTT_URL: 'mqtt://broker:1883',
      MQTT_USERNAME: 'p',
      MQTT_PASSWORD: 's',
      DATABASE_URL: 'postgres://u:pw@db:5432/fleet',
    });
    expect(sut.mqtt).toMatchObject({
      mode: 'external',
      url: 'mqtt://broker:1883',
      deviceUrl: 'mqtt://broker:1883',
      // the platform's own listener serves provisioning next to an external broker
      listener: { host: '127.0.0.1', port: 1884 },
      username: 'p',
      password: 's',
      consumers: 4,
      consumerWindow: 100,
    });
    expect(sut.database).toEqual({ mode: 'external', url: 'postgres://u:pw@db:5432/fleet' });
  });

  it('bounds the devices online on the embedded database only, and checks the bound either way', () => {
    const bound = { EMBEDDED_DATABASE_MAX_ONLINE_DEVICES: '3' };
    expect(loadConfig(bound).database).toMatchObject({ mode: 'embedded', maxOnlineDevices: 3 });
    // PostgreSQL has no such bound: the setting has nowhere to go.
    expect(loadConfig({ ...bound, DATABASE_URL: 'postgres://db/fleet' }).database).toEqual({
      mode: 'external',
      url: 'postgres://db/fleet',
    });
    for (const bad of ['0', '2.5', 'many'])
      for (const env of [{}, { DATABASE_URL: 'postgres://db/fleet' }])
        expect(() => loadConfig({ ...env, EMBEDDED_DATABASE_MAX_ONLINE_DEVICES: bad })).toThrow(
          `EMBEDDED_DATABASE_MAX_ONLINE_DEVICES=${JSON.stringify(bad)} must be an integer from 1 to 1000000`,
        );
  });

  it('names every bad variable and what is allowed, in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        MQTT_PORT: '70000',
        DATABASE_URL: 'mysql://x:secret@h/db',
        LOG_LEVEL: 'loud',
        INGEST_MAX_BATCH_ROWS: '0',
        EVENTS_RETENTION_DAYS: '-1',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toHaveLength(6);
    expect(message).toContain('PORT="eighty" is not a TCP port');
    expect(message).toContain('MQTT_PORT="70000"');
    expect(message).toContain(
      'DATABASE_URL="mysql://x:***@h/db" must be a URL starting with postgres:// or postgresql://',
    );
    expect(message).toContain('LOG_LEVEL="loud" must be one of');
    expect(message).toContain('INGEST_MAX_BATCH_ROWS="0" must be an integer from 1 to 20000');
    expect(message).toContain('EVENTS_RETENTION_DAYS="-1" must be an integer from 0 to 36500');
    expect(message).not.toContain('secret');
  });

  it('insists on an API token when the platform listens beyond loopback', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(
      /HOST="0.0.0.0" exposes the operator API beyond this machine: set API_TOKEN/,
    );
    expect(() => loadConfig({ API_TOKEN: 'short' })).toThrow(/API_TOKEN must be at least 16 characters/);
    expect(loadConfig({ HOST: '0.0.0.0', API_TOKEN: 'a-long-enough-token' }).http).toEqual({
      host: '0.0.0.0',
      port: 3000,
      apiToken: 'a-long-enough-token',
    });
  });

  it('takes a credential key of 32+ bytes in base64, and never echoes a bad one', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig({ CREDENTIAL_KEY: key.toString('base64') }).credentials.key).toEqual(key);
    expect(loadConfig({ CREDENTIAL_KEY: key.toString('base64url') }).credentials.key).toEqual(key);
    expect(loadConfig({}).credentials.key).toBeUndefined();
    for (const bad of [Buffer.alloc(31, 7).toString('base64'), 'not base64 at all!']) {
      expect(() => loadConfig({ CREDENTIAL_KEY: bad })).toThrow(
        /CREDENTIAL_KEY must be base64 of at least 32 random bytes/,
      );
      expect(() => loadConfig({ CREDENTIAL_KEY: bad })).not.toThrow(bad);
    }
  });

  it('redacts passwords in URLs', () => {
    expect(redact('postgres://user:hunter2@db/x')).toBe('postgres://user:***@db/x');
    expect(redact('postgres://db/x')).toBe('postgres://db/x');
  });
});

describe('loadConfig: NATS cluster broker mode', () => {
  const nats = {
    NATS_URL: 'nats://a:4222, nats://b:4222',
    NATS_MQTT_URL: 'mqtt://a:1883,mqtt://b:1883',
    NATS_CREDS: '/etc/tinyfleet/platform.creds',
    NATS_DEVICE_SIGNING_KEY: '/etc/tinyfleet/device-signing.nk',
  };

  it('is selected by NATS_URL, with every URL of the lists', () => {
    expect(loadConfig(nats).mqtt).toEqual({
      mode: 'nats',
      listener: { host: '127.0.0.1', port: 1884 },
      natsUrls: ['nats://a:4222', 'nats://b:4222'],
      mqttUrls: ['mqtt://a:1883', 'mqtt://b:1883'],
      credsFile: '/etc/tinyfleet/platform.creds',
      deviceSigningKeyFile: '/etc/tinyfleet/device-signing.nk',
      consumer: 'tinyfleet-ingest',
      maxInFlight: 512,
      ackWaitMs: 30_000,
      holdAcksAfter: undefined,
      revocation: undefined,
    });
  });

  it('revokes device JWTs with an operator signing key and a system-account user, both or neither', () => {
    const keys = { NATS_OPERATOR_SIGNING_KEY: '/etc/tinyfleet/operator-signing.nk', NATS_SYSTEM_CREDS: 'system.creds' };
    const mqtt = loadConfig({ ...nats, ...keys }).mqtt;
    expect(mqtt.mode === 'nats' && mqtt.revocation).toEqual({
      operatorSigningKeyFile: '/etc/tinyfleet/operator-signing.nk',
      systemCredsFile: resolve('system.creds'),
    });
    expect(() => loadConfig({ ...nats, NATS_SYSTEM_CREDS: keys.NATS_SYSTEM_CREDS })).toThrow(
      /NATS_OPERATOR_SIGNING_KEY and NATS_SYSTEM_CREDS .*both or neither/,
    );
  });

  it('names what is missing or contradictory', () => {
    expect(() => loadConfig({ NATS_URL: 'nats://a:4222', MQTT_URL: 'mqtt://m:1883' })).toThrow(
      /NATS_URL and MQTT_URL are both set[\s\S]*NATS_MQTT_URL[\s\S]*NATS_CREDS[\s\S]*NATS_DEVICE_SIGNING_KEY/,
    );
    expect(() => loadConfig({ ...nats, NATS_URL: 'http://a:4222' })).toThrow(/NATS_URL=.*nats:\/\//);
    expect(() => loadConfig({ ...nats, NATS_ACK_WAIT_MS: '10' })).toThrow(/NATS_ACK_WAIT_MS/);
  });
});
