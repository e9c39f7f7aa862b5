import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeviceEvent } from '../ingest/device-event.entity';
import { Device } from './device.entity';
import { DevicesController } from './devices.controller';
import { DeviceConfigService } from './device-config.service';
import { DevicesService } from './devices.service';

@Module({
  imports: [TypeOrmModule.forFeature([Device, DeviceEvent])],
  providers: [DevicesService, DeviceConfigService],
  controllers: [DevicesController],
  exports: [DevicesService, DeviceConfigService],
})
export class DevicesModule {}
