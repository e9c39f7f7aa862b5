import { Foundation1795900000000 } from '../../../../migrations/1795900000000-foundation';
import { DeviceConfig1795900100000 } from '../../../../migrations/1795900100000-device-config';
import { Ota1795900200000 } from '../../../../migrations/1795900200000-ota';
import { EnergyReportIndexes1795900300000 } from '../../../../migrations/1795900300000-energy-report-indexes';
import { AccuracyReports1795900400000 } from '../../../../migrations/1795900400000-accuracy-reports';
import { ProvisioningScopes1795900500000 } from '../../../../migrations/1795900500000-provisioning-scopes';
import { DeviceManifests1795900600000 } from '../../../../migrations/1795900600000-device-manifests';
import { DeviceModelSlots1795900700000 } from '../../../../migrations/1795900700000-device-model-slots';
import { DeviceCapabilities1795900800000 } from '../../../../migrations/1795900800000-device-capabilities';
import { Drift1796000300000 } from '../../../../migrations/1796000300000-drift';
import { Evidence1796000400000 } from '../../../../migrations/1796000400000-evidence';
import { CredentialKey1796000100000 } from '../../../../migrations/1796000100000-credential-key';
import { RolloutLeases1796000200000 } from '../../../../migrations/1796000200000-rollout-leases';
import { ClaimRateBuckets1796000500000 } from '../../../../migrations/1796000500000-claim-rate-buckets';
import { EventsPartitions1796000600000 } from '../../../../migrations/1796000600000-events-partitions';
import { EventKeysByPartition1796000700000 } from '../../../../migrations/1796000700000-event-keys-by-partition';
import { NatsRevocations1796000720000 } from '../../../../migrations/1796000720000-nats-revocations';
import { AccuracyReport } from '../accuracy/accuracy-report.entity';
import { Device } from '../devices/device.entity';
import { DriftVerdict } from '../drift/drift-verdict.entity';
import { InferenceSummary } from '../drift/inference-summary.entity';
import { DeviceEvent } from '../ingest/device-event.entity';
import { EnergySnapshot } from '../ingest/energy-snapshot.entity';
import { Claim } from '../provisioning/claim.entity';
import { OtaJobEvent } from '../ota/jobs/ota-job-event.entity';
import { OtaJob } from '../ota/jobs/ota-job.entity';
import { ModelArtifact } from '../ota/registry/model-artifact.entity';
import { TrustedKey } from '../ota/registry/trusted-key.entity';
import { RolloutGroup } from '../ota/rollouts/rollout-group.entity';
import { Rollout } from '../ota/rollouts/rollout.entity';
import { ProvisioningAttempt } from '../provisioning/provisioning-attempt.entity';

/** Listed explicitly (not globbed) so bundlers, Jest and the CLI all see the same set. */
export const ENTITIES = [
  Claim,
  ProvisioningAttempt,
  Device,
  DeviceEvent,
  EnergySnapshot,
  TrustedKey,
  ModelArtifact,
  Rollout,
  RolloutGroup,
  OtaJob,
  OtaJobEvent,
  AccuracyReport,
  InferenceSummary,
  DriftVerdict,
];
/** In order. A new migration file must be added here. */
export const MIGRATIONS = [
  Foundation1795900000000,
  DeviceConfig1795900100000,
  Ota1795900200000,
  EnergyReportIndexes1795900300000,
  AccuracyReports1795900400000,
  ProvisioningScopes1795900500000,
  DeviceManifests1795900600000,
  DeviceModelSlots1795900700000,
  DeviceCapabilities1795900800000,
  Drift1796000300000,
  Evidence1796000400000,
  CredentialKey1796000100000,
  RolloutLeases1796000200000,
  ClaimRateBuckets1796000500000,
  EventsPartitions1796000600000,
  EventKeysByPartition1796000700000,
  NatsRevocations1796000720000,
];
