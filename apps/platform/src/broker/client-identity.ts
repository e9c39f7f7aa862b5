/** Who is on the other end of an MQTT session, established at CONNECT. */
export type ClientIdentity =
  { kind: 'device'; deviceId: string } | { kind: 'claim'; claimId: string; sessionId: string };
