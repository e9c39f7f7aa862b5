import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { EnergyController } from './energy.controller';
import { EnergyReportService } from './energy-report.service';

/** Energy comparison reports (edge inference vs raw streaming) over the stored energy snapshots. */
@Module({
  imports: [DevicesModule],
  providers: [EnergyReportService],
  controllers: [EnergyController],
  exports: [EnergyReportService],
})
export class EnergyModule {}
