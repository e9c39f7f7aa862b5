import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { FleetSummary, FleetSummaryService, McuProfileView } from './fleet-summary.service';

/** Read models the dashboard needs and the operator API does not have in one call. */
@ApiTags('dashboard')
@Controller('api/dashboard')
export class DashboardApiController {
  constructor(private readonly fleet: FleetSummaryService) {}

  @Get('summary')
  @ApiOkResponse({
    description:
      'Device counts by lifecycle, connectivity, stream, MCU, radio and active model; events/s over the last 10 s',
  })
  summary(): Promise<FleetSummary> {
    return this.fleet.summary();
  }

  @Get('mcu-profiles')
  @ApiOkResponse({
    description: 'MCU profiles with the flash and RAM a model may use next to the firmware (libs/energy)',
  })
  mcuProfiles(): McuProfileView[] {
    return this.fleet.mcuProfiles();
  }
}
