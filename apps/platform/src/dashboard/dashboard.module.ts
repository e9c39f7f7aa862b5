import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { DashboardApiController } from './dashboard-api.controller';
import { EventStreamController } from './event-stream.controller';
import { FleetSummaryService } from './fleet-summary.service';
import { LiveEventsService } from './live-events.service';
import { LiveFanout } from './live-fanout';
import { StaticAssetsController } from './static-assets.controller';

/** The operator dashboard at `/`: its static front end, a live event stream and a few read models. */
@Module({
  imports: [DevicesModule],
  controllers: [StaticAssetsController, EventStreamController, DashboardApiController],
  providers: [LiveEventsService, LiveFanout, FleetSummaryService],
})
export class DashboardModule {}
