import { Module } from '@nestjs/common';
import { AccuracyModule } from '../accuracy/accuracy.module';
import { DevicesModule } from '../devices/devices.module';
import { DriftModule } from '../drift/drift.module';
import { EnergyReportRepository } from './energy-report.repository';
import { EnergyController } from './energy.controller';
import { EnergyReportService } from './energy-report.service';

/** Energy comparison reports (edge inference vs raw streaming) over the stored energy snapshots. */
@Module({
  imports: [DevicesModule, AccuracyModule, DriftModule],
  providers: [EnergyReportService, EnergyReportRepository],
  controllers: [EnergyController],
  exports: [EnergyReportService],
})
export class EnergyModule {}
