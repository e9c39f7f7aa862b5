import { Injectable, Logger } from '@nestjs/common';
import {
  decodeDeviceCapabilitiesV1,
  decodeEnergySnapshotV1,
  decodeInferenceEventV1,
  decodeProvisionRequestV1,
  decodeStatusV1,
  encodeProvisionResponseV1,
  ParsedTopic,
  provisionResponseTopic,
  UplinkKind,
  WireError,
} from '@tinyfleet/wire';
import { PlatformEvents } from '../common/platform-events';
import { DevicesService } from '../devices/devices.service';
import { IngestService } from '../ingest/ingest.service';
import { MetricsService } from '../metrics/metrics.service';
import { ProvisioningService } from '../provisioning/provisioning.service';
import { DeviceCredentialIssuer } from './broker.port';

/** Handles the uplinks of a feature that registers itself (OTA), so the broker layer depends on no feature. */
export type UplinkHandler = (deviceId: string, payload: Uint8Array) => Promise<void>;

/** A message the platform sends back as a consequence of an uplink. */
export interface Reply {
  topic: string;
  payload: Uint8Array;
}

/**
 * Decodes an already-authorised uplink and hands it to the service that stores it. Resolves when
 * the message is durably stored (the broker acknowledges a QoS 1 publish only then); rejects when
 * storage failed (no acknowledgement, so the device re-sends). A payload that can never be valid
 * resolves too — acknowledged and dropped, counted by reason — because re-sending cannot fix it.
 */
@Injectable()
export class UplinkRouter {
  private readonly log = new Logger(UplinkRouter.name);
  private readonly handlers = new Map<UplinkKind, UplinkHandler>();

  constructor(
    private readonly ingest: IngestService,
    private readonly devices: DevicesService,
    private readonly provisioning: ProvisioningService,
    private readonly metrics: MetricsService,
    private readonly events: PlatformEvents,
    private readonly credentials: DeviceCredentialIssuer,
  ) {}

  registerHandler(kind: UplinkKind, handler: UplinkHandler): void {
    if (this.handlers.has(kind)) throw new Error(`uplink kind ${kind} already has a handler`);
    this.handlers.set(kind, handler);
  }

  async route(topic: ParsedTopic, payload: Uint8Array): Promise<Reply | undefined> {
    try {
      if (topic.scope === 'provision') {
        if (topic.direction !== 'request') return undefined;
        const reply = (response: Parameters<typeof encodeProvisionResponseV1>[0]): Reply => ({
          topic: provisionResponseTopic(topic.claimId, topic.sessionId),
          payload: encodeProvisionResponseV1(response),
        });
        let request;
        try {
          request = decodeProvisionRequestV1(payload);
        } catch (err) {
          if (!(err instanceof WireError)) throw err;
          this.metrics.reject(err.reason);
          return reply(await this.provisioning.refuseUnreadable(topic.claimId));
        }
        this.metrics.messagesReceived.inc({ kind: 'provision' });
        const response = await this.provisioning.registerUnlessOverloaded(topic.claimId, request);
        if (response.status !== 'refused' && response.deviceSecret !== null)
          response.deviceSecret = await this.credentials.deviceSecret(response.deviceId, response.deviceSecret);
        return reply(response);
      }
      if (topic.direction !== 'up') return undefined;
      switch (topic.kind) {
        case 'event':
          await this.ingest.submitEvent(topic.deviceId, decodeInferenceEventV1(payload));
          break;
        case 'status':
          await this.devices.recordStatus(topic.deviceId, decodeStatusV1(payload));
          this.events.emit('device-status', topic.deviceId);
          break;
        case 'capabilities':
          await this.devices.recordCapabilities(topic.deviceId, decodeDeviceCapabilitiesV1(payload));
          break;
        case 'energy':
          await this.ingest.submitEnergy(topic.deviceId, decodeEnergySnapshotV1(payload));
          break;
        default: {
          const handler = this.handlers.get(topic.kind);
          if (!handler) throw new WireError('unknown-topic', `no handler for uplink kind ${topic.kind}`);
          await handler(topic.deviceId, payload);
        }
      }
      this.metrics.messagesReceived.inc({ kind: topic.kind });
      return undefined;
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      this.metrics.reject(err.reason);
      if (topic.scope === 'device') {
        await this.devices.countRejected(topic.deviceId);
        this.log.warn(`dropped ${topic.kind} from ${topic.deviceId}: ${err.reason}: ${err.message}`);
      }
      return undefined;
    }
  }
}
