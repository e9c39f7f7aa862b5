import { Injectable } from '@nestjs/common';
import { MCU_PROFILES, modelBudget } from '@tinyfleet/energy';
import { DevicesRepository, FleetDimension } from '../devices/devices.repository';
import { LiveEventsService } from './live-events.service';

export interface FleetSummary {
  total: number;
  /** dimension → key → devices. */
  counts: Record<FleetDimension, Record<string, number>>;
  eventsPerSecond: number;
  eventsTotal: number;
}

export interface McuProfileView {
  id: string;
  label: string;
  core: string;
  flashBytes: number;
  sramBytes: number;
  firmwareFlashBytes: number;
  firmwareRamBytes: number;
  /** Flash for one model with the other A/B slot empty; an A/B update needs room for both. */
  flashBytesForModel: number;
  ramBytesForArena: number;
}

@Injectable()
export class FleetSummaryService {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly live: LiveEventsService,
  ) {}

  async summary(): Promise<FleetSummary> {
    const rows = await this.devices.summary();
    const counts: FleetSummary['counts'] = {
      lifecycle: {},
      connectivity: {},
      stream: {},
      mcuProfile: {},
      radioProfile: {},
      model: {},
    };
    let total = 0;
    let eventsTotal = 0;
    for (const r of rows) {
      counts[r.dim][r.key] = r.n;
      if (r.dim === 'lifecycle') {
        total += r.n;
        eventsTotal += Number(r.ev);
      }
    }
    return { total, counts, eventsPerSecond: this.live.eventsPerSecond(), eventsTotal };
  }

  mcuProfiles(): McuProfileView[] {
    return Object.values(MCU_PROFILES).map((m) => {
      const b = modelBudget(m, 0);
      return {
        id: m.id,
        label: m.label,
        core: m.core,
        flashBytes: m.flashBytes,
        sramBytes: m.sramBytes,
        firmwareFlashBytes: b.firmwareFlashBytes,
        firmwareRamBytes: b.firmwareRamBytes,
        flashBytesForModel: b.flashBytesForModel,
        ramBytesForArena: b.ramBytesForArena,
      };
    });
  }
}
