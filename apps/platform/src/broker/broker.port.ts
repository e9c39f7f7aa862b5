/**
 * The platform's side of MQTT, whichever broker carries it: the embedded aedes broker, or an
 * external broker (Mosquitto) the platform joins as a client. Services publish downlinks through it.
 */
export abstract class BrokerPort {
  abstract readonly mode: 'embedded' | 'external';
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
