import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { DevicesController } from './devices.controller';
import { DeviceConfigService } from './device-config.service';
import { DevicesRepository } from './devices.repository';
import { DevicesService } from './devices.service';

@Module({
  imports: [IngestModule],
  providers: [DevicesRepository, DevicesService, DeviceConfigService],
  controllers: [DevicesController],
  exports: [DevicesRepository, DevicesService, DeviceConfigService],
})
export class DevicesModule {}
