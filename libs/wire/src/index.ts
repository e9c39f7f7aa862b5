// Public API of @tinyfleet/wire (wire protocol v1). Browser-safe: no Node APIs, Uint8Array in/out.
export * from './errors';
export * from './topics';
export * from './acl';
export * from './uplink';
export * from './crc32';
export type { MessageCodec } from './message';
export * from './messages/inference-event.v1';
export * from './messages/status.v1';
export * from './messages/energy-snapshot.v1';
export * from './messages/provision-request.v1';
export * from './messages/provision-response.v1';
export * from './messages/device-config.v1';
export * from './messages/ota-offer.v1';
export * from './messages/ota-chunk-request.v1';
export * from './messages/ota-chunk.v1';
export * from './messages/ota-status.v1';
export * from './messages/ota-cancel.v1';
export * from './messages/accuracy-report.v1';
