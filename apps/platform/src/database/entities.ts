import { Foundation1795900000000 } from '../../../../migrations/1795900000000-foundation';
import { DeviceConfig1795900100000 } from '../../../../migrations/1795900100000-device-config';
import { Device } from '../devices/device.entity';
import { DeviceEvent } from '../ingest/device-event.entity';
import { EnergySnapshot } from '../ingest/energy-snapshot.entity';
import { Claim } from '../provisioning/claim.entity';
import { ProvisioningAttempt } from '../provisioning/provisioning-attempt.entity';

/** Listed explicitly (not globbed) so bundlers, Jest and the CLI all see the same set. */
export const ENTITIES = [Claim, ProvisioningAttempt, Device, DeviceEvent, EnergySnapshot];
/** In order. A new migration file must be added here. */
export const MIGRATIONS = [Foundation1795900000000, DeviceConfig1795900100000];
