import {
  decodeProvisionResponseV1,
  encodeProvisionRequestV1,
  ProvisionRequestV1,
  ProvisionResponseV1,
  provisionRequestTopic,
  provisionResponseTopic,
  SESSION_ID_PREFIX,
} from '@tinyfleet/wire';
import { connectRetryingRefusals } from './connect';
import { randomBytes } from 'node:crypto';

export interface ClaimCredential {
  claimId: string;
  claimSecret: string;
}

export class ProvisioningError extends Error {
  override name = 'ProvisioningError';
}

/**
 * Registration by claim, as a device does it: connect with the claim credential under a random
 * session id, subscribe to the session's response topic, publish the request, wait for the answer.
 * A refusal is returned (with its reason code), not thrown; transport problems throw.
 */
export async function provisionByClaim(
  provisioningUrl: string,
  claim: ClaimCredential,
  request: ProvisionRequestV1,
  timeoutMs = 15_000,
): Promise<ProvisionResponseV1> {
  const sessionId = SESSION_ID_PREFIX + randomBytes(16).toString('base64url'); // 128 bits
  const client = await connectRetryingRefusals(provisioningUrl, {
    clientId: sessionId,
    username: claim.claimId,
    password: claim.claimSecret,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
  }).catch((err: Error) => {
    throw new ProvisioningError(`claim connection refused: ${err.message}`);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const responseTopic = provisionResponseTopic(claim.claimId, sessionId);
    const payload = encodeProvisionRequestV1(request); // a bad request fails here, before anything is sent
    const answer = new Promise<ProvisionResponseV1>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new ProvisioningError(`no provisioning response within ${timeoutMs} ms`)),
        timeoutMs,
      );
      client.on('message', (topic, bytes) => {
        if (topic !== responseTopic) return;
        try {
          resolve(decodeProvisionResponseV1(bytes));
        } catch (err) {
          reject(err);
        }
      });
    });
    // Subscribing and publishing can outlast the timeout on a busy broker: never leave `answer`
    // rejecting unobserved (an unhandled rejection), it is awaited below.
    answer.catch(() => undefined);
    await client.subscribeAsync(responseTopic, { qos: 1 });
    await client.publishAsync(provisionRequestTopic(claim.claimId, sessionId), Buffer.from(payload), { qos: 1 });
    return await answer;
  } finally {
    clearTimeout(timer);
    await client.endAsync().catch(() => undefined);
  }
}
