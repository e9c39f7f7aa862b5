import { connectAsync, IClientOptions, MqttClient } from 'mqtt';

/**
 * Connects, and keeps trying for a few seconds while the broker refuses the credentials: a
 * credential the platform has just issued reaches an external broker's password file a moment
 * later (a file rewrite and a reload). Any other failure is thrown at once.
 */
export async function connectRetryingRefusals(
  url: string,
  options: IClientOptions,
  refusalWindowMs = 5000,
): Promise<MqttClient> {
  const deadline = Date.now() + refusalWindowMs;
  for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 1000)) {
    try {
      return await connectAsync(url, { ...options, reconnectPeriod: 0 }).then((client) => {
        client.options.reconnectPeriod = options.reconnectPeriod ?? 1000;
        return client;
      });
    } catch (err) {
      const refused = /Not authorized|Bad username or password/i.test((err as Error).message);
      if (!refused || Date.now() + delayMs > deadline) throw err;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
