import { Module } from '@nestjs/common';
import { EnergyController } from './energy.controller';
import { EnergyReportService } from './energy-report.service';

/** Energy comparison reports (edge inference vs raw streaming) over the stored energy snapshots. */
@Module({
  providers: [EnergyReportService],
  controllers: [EnergyController],
  exports: [EnergyReportService],
})
export class EnergyModule {}
