/**
 * The platform's side of MQTT, whichever broker carries it: the embedded aedes broker, an
 * external broker (Mosquitto) the platform joins as a client, or a NATS JetStream cluster's MQTT
 * listeners. Services publish downlinks through it.
 */
export abstract class BrokerPort {
  abstract readonly mode: 'embedded' | 'external' | 'nats';
  /** Where devices connect, e.g. `mqtt://127.0.0.1:1883`. */
  abstract url(): string;
  abstract publish(topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void>;
}

/**
 * Where devices present a claim to register: the platform's own MQTT listener, which is the whole
 * broker in embedded mode and a provisioning-only endpoint next to an external broker.
 */
export abstract class ProvisioningEndpoint {
  /** e.g. `mqtt://127.0.0.1:1884`. */
  abstract url(): string;
}

/**
 * What a newly registered device is told to present as its MQTT password. The platform's own
 * brokers check the secret it issued; a NATS cluster checks a user JWT the platform signs instead
 * (nats/nats-credentials.ts), which is what the device then gets, once the JWT it replaces is
 * revoked.
 */
export abstract class DeviceCredentialIssuer {
  abstract deviceSecret(deviceId: string, issuedSecret: string): Promise<string>;
}

/** The issued secret itself: what the embedded broker and Mosquitto check. */
export class IssuedSecret extends DeviceCredentialIssuer {
  deviceSecret(_deviceId: string, issuedSecret: string): Promise<string> {
    return Promise.resolve(issuedSecret);
  }
}
