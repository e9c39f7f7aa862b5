import { randomBytes } from 'node:crypto';
import { describeBrokerContract } from './support/broker-contract';
import { startMosquitto } from './support/mosquitto';
import { startNatsCluster } from './support/nats-cluster';
import { bootTestPlatform } from './support/test-platform';

/**
 * The one BrokerPort contract (test/support/broker-contract.ts), run against every broker mode the
 * platform has. A new mode adds one call here.
 */
describeBrokerContract('embedded', async () => {
  const platform = await bootTestPlatform('pglite');
  return { platform, devicePubackAfterStore: true, clientIdBoundToCredential: true, stop: () => platform.stop() };
});

describeBrokerContract('external Mosquitto (docs/external-broker.md)', async () => {
  const mosquitto = await startMosquitto();
  try {
    const platform = await bootTestPlatform('postgres', {
      MQTT_URL: mosquitto.platformUrl,
      MQTT_DEVICE_URL: mosquitto.url,
      MQTT_USERNAME: 'tinyfleet-platform',
      MQTT_PASSWORD: randomBytes(16).toString('hex'),
      MQTT_CLIENT_ID: `tf-${randomBytes(4).toString('hex')}`,
      MOSQUITTO_AUTH_DIR: mosquitto.authDir,
      MOSQUITTO_PID: String(mosquitto.pid),
    });
    return {
      platform,
      devicePubackAfterStore: false,
      clientIdBoundToCredential: true,
      stop: async () => {
        await platform.stop();
        await mosquitto.stop();
      },
    };
  } catch (err) {
    await mosquitto.stop();
    throw err;
  }
});

describeBrokerContract('NATS JetStream cluster, 3 nodes (docs/scale-out.md)', async () => {
  const cluster = await startNatsCluster();
  try {
    const platform = await bootTestPlatform('postgres', cluster.platformEnv);
    return {
      platform,
      devicePubackAfterStore: false,
      clientIdBoundToCredential: false,
      stop: async () => {
        await platform.stop();
        await cluster.stop();
      },
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
});
