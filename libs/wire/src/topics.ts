/**
 * The ONLY place in tinyfleet where MQTT topic strings are built or parsed. Broker ACL, platform
 * ingest and device-sim all go through these functions, so a topic-layout change is one edit here
 * and the ACL can never disagree with the router about what a topic means.
 *
 * Layout (root `tinyfleet/v1`):
 *   tinyfleet/v1/d/{deviceId}/up/{kind}           device -> platform
 *   tinyfleet/v1/d/{deviceId}/down/{kind}         platform -> device
 *   tinyfleet/v1/provision/{claimId}/{sessionId}/request    claiming device -> platform
 *   tinyfleet/v1/provision/{claimId}/{sessionId}/response   platform -> claiming device
 *
 * The provisioning topics carry the claim id (= the claim connection's MQTT username) as well as the
 * session id (= its client id) so that (a) an external broker can enforce them with plain pattern
 * ACLs (`tinyfleet/v1/provision/%u/%c/request`), and (b) the platform, which only sees the topic when
 * subscribed through an external broker, knows which claim a request is charged to — the broker
 * guarantees the claim id level equals the authenticated username.
 */
import { WireError } from './errors';

export const TOPIC_ROOT = 'tinyfleet/v1';

/**
 * Append-only lists: adding a kind is one entry here plus its codec in uplink.ts; parseTopic,
 * filters and ACL helpers pick it up automatically. Kinds are `^[a-z]+(-[a-z]+)*$` (no `/`, `+`, `#`).
 * OTA (docs/protocol.md §10): device → platform `ota-status`, `ota-request`;
 * platform → device `ota-offer`, `ota-chunk`, `ota-cancel`.
 */
export const UPLINK_KINDS = [
  'event',
  'status',
  'energy',
  'ota-status',
  'ota-request',
  'accuracy',
  'summary',
  'capabilities',
  'evidence',
  'evidence-status',
] as const;
export type UplinkKind = (typeof UPLINK_KINDS)[number];

export const DOWNLINK_KINDS = ['config', 'ota-offer', 'ota-chunk', 'ota-cancel', 'evidence-request'] as const;
export type DownlinkKind = (typeof DOWNLINK_KINDS)[number];

/** 3..64 chars, lowercase: also a valid MQTT username / client id / URL segment / DNS label-ish. */
export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;
/**
 * What every provisioning session id (a claim connection's MQTT client id) starts with. A device id
 * can never contain `_`, so no session id is ever a device id: a claim credential cannot take over a
 * device's session (MQTT hands a client id to the newest connection that presents it).
 */
export const SESSION_ID_PREFIX = 'prov_';
/** `prov_` + 16..59 chars of the base64url alphabet, random and unguessable (e.g. 128 bits = 22 chars). */
export const SESSION_ID_PATTERN = /^prov_[A-Za-z0-9_-]{16,59}$/;
/** Claim ids (the claim's MQTT username, e.g. `clm-` + 12 base32 chars) follow the device-id rule. */
export const CLAIM_ID_PATTERN = DEVICE_ID_PATTERN;

export type ParsedTopic =
  | { scope: 'device'; direction: 'up'; deviceId: string; kind: UplinkKind }
  | { scope: 'device'; direction: 'down'; deviceId: string; kind: DownlinkKind }
  | { scope: 'provision'; direction: 'request' | 'response'; claimId: string; sessionId: string };

export function isValidDeviceId(deviceId: unknown): deviceId is string {
  return typeof deviceId === 'string' && DEVICE_ID_PATTERN.test(deviceId);
}

export function isValidSessionId(sessionId: unknown): sessionId is string {
  return typeof sessionId === 'string' && SESSION_ID_PATTERN.test(sessionId);
}

export function isValidClaimId(claimId: unknown): claimId is string {
  return typeof claimId === 'string' && CLAIM_ID_PATTERN.test(claimId);
}

export function isUplinkKind(kind: unknown): kind is UplinkKind {
  return typeof kind === 'string' && (UPLINK_KINDS as readonly string[]).includes(kind);
}

export function isDownlinkKind(kind: unknown): kind is DownlinkKind {
  return typeof kind === 'string' && (DOWNLINK_KINDS as readonly string[]).includes(kind);
}

function requireDeviceId(deviceId: string): void {
  if (!isValidDeviceId(deviceId)) throw new WireError('schema', `invalid deviceId ${JSON.stringify(deviceId)}`);
}

function requireSession(claimId: string, sessionId: string): void {
  if (!isValidClaimId(claimId)) throw new WireError('schema', `invalid claimId ${JSON.stringify(claimId)}`);
  if (!isValidSessionId(sessionId)) throw new WireError('schema', `invalid sessionId ${JSON.stringify(sessionId)}`);
}

export function deviceUplinkTopic(deviceId: string, kind: UplinkKind): string {
  requireDeviceId(deviceId);
  if (!isUplinkKind(kind)) throw new WireError('unknown-topic', `unknown uplink kind ${JSON.stringify(kind)}`);
  return `${TOPIC_ROOT}/d/${deviceId}/up/${kind}`;
}

export function deviceDownlinkTopic(deviceId: string, kind: DownlinkKind): string {
  requireDeviceId(deviceId);
  if (!isDownlinkKind(kind)) throw new WireError('unknown-topic', `unknown downlink kind ${JSON.stringify(kind)}`);
  return `${TOPIC_ROOT}/d/${deviceId}/down/${kind}`;
}

export function provisionRequestTopic(claimId: string, sessionId: string): string {
  requireSession(claimId, sessionId);
  return `${TOPIC_ROOT}/provision/${claimId}/${sessionId}/request`;
}

export function provisionResponseTopic(claimId: string, sessionId: string): string {
  requireSession(claimId, sessionId);
  return `${TOPIC_ROOT}/provision/${claimId}/${sessionId}/response`;
}

/** Platform subscription: every device's uplinks. */
export function allDeviceUplinksFilter(): string {
  return `${TOPIC_ROOT}/d/+/up/+`;
}

/** A device's own subscription: all of its downlink kinds. */
export function deviceDownlinkFilter(deviceId: string): string {
  requireDeviceId(deviceId);
  return `${TOPIC_ROOT}/d/${deviceId}/down/+`;
}

/** Platform subscription: every provisioning request. */
export function allProvisionRequestsFilter(): string {
  return `${TOPIC_ROOT}/provision/+/+/request`;
}

/** Every topic of protocol v1 (the platform's own grant). */
export function allTopicsFilter(): string {
  return `${TOPIC_ROOT}/#`;
}

/**
 * The per-principal topic filters with the ids left as placeholders, for brokers that substitute
 * them per connection: Mosquitto's `%u` / `%c`, NATS permission templates. Placeholders are not
 * validated: they are the broker's syntax, not ids.
 */
export function principalFilterTemplates(p: { deviceId: string; claimId: string; sessionId: string }): {
  deviceUplinks: string;
  deviceDownlinks: string;
  provisionRequest: string;
  provisionResponse: string;
} {
  return {
    deviceUplinks: `${TOPIC_ROOT}/d/${p.deviceId}/up/+`,
    deviceDownlinks: `${TOPIC_ROOT}/d/${p.deviceId}/down/+`,
    provisionRequest: `${TOPIC_ROOT}/provision/${p.claimId}/${p.sessionId}/request`,
    provisionResponse: `${TOPIC_ROOT}/provision/${p.claimId}/${p.sessionId}/response`,
  };
}

/**
 * Parses a concrete topic NAME (as seen on PUBLISH). Returns null for anything that is not exactly a
 * v1 topic: wildcards, unknown kinds, missing/extra/empty levels, invalid ids, `$SYS/...`, other roots.
 */
export function parseTopic(topic: string): ParsedTopic | null {
  if (typeof topic !== 'string' || !topic.startsWith(`${TOPIC_ROOT}/`)) return null;
  const levels = topic.slice(TOPIC_ROOT.length + 1).split('/');
  // Ids and kinds are validated against closed patterns/lists below, which already excludes '+',
  // '#', '\0', empty levels and uppercase, so no separate wildcard check is needed.
  if (levels.length === 4 && levels[0] === 'd') {
    const [, deviceId, direction, kind] = levels as [string, string, string, string];
    if (!isValidDeviceId(deviceId)) return null;
    if (direction === 'up' && isUplinkKind(kind)) return { scope: 'device', direction: 'up', deviceId, kind };
    if (direction === 'down' && isDownlinkKind(kind)) return { scope: 'device', direction: 'down', deviceId, kind };
    return null;
  }
  if (levels.length === 4 && levels[0] === 'provision') {
    const [, claimId, sessionId, direction] = levels as [string, string, string, string];
    if (!isValidClaimId(claimId) || !isValidSessionId(sessionId)) return null;
    if (direction === 'request' || direction === 'response')
      return { scope: 'provision', direction, claimId, sessionId };
    return null;
  }
  return null;
}

/**
 * MQTT 3.1.1/5 topic-filter matching (`+` = exactly one level, possibly empty; `#` = this level and
 * everything below, only as the last level). Topics starting with `$` are not matched by a filter
 * whose first level is a wildcard (spec 4.7.2). Returns false for malformed filters.
 */
export function topicMatchesFilter(filter: string, topic: string): boolean {
  if (typeof filter !== 'string' || typeof topic !== 'string' || filter.length === 0 || topic.length === 0)
    return false;
  if (topic.includes('+') || topic.includes('#')) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') return i === f.length - 1; // '#' also matches the parent level itself
    if (level.includes('#') || (level.includes('+') && level !== '+')) return false; // malformed filter
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * The NATS subject nats-server's MQTT listener gives a v1 topic or filter: each level becomes a
 * token (`/` → `.`, `+` → `*`, `#` → `>`). v1 topics have no `.` and no empty level, so the mapping
 * is one-to-one; placeholders such as `{{name()}}` pass through. See docs/scale-out.md.
 */
export function natsSubjectOf(topicOrFilter: string): string {
  return topicOrFilter
    .split('/')
    .map((level) => (level === '+' ? '*' : level === '#' ? '>' : level))
    .join('.');
}

/** The v1 topic a NATS subject carries (the inverse of natsSubjectOf for topic names), or null. */
export function parseNatsSubject(subject: string): ParsedTopic | null {
  if (typeof subject !== 'string' || subject.includes('/')) return null;
  return parseTopic(subject.split('.').join('/'));
}
