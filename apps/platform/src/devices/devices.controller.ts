import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DevicesService } from './devices.service';
import { DeviceDetailDto, DeviceEventDto, DevicePageDto, ListDevicesQueryDto, ListEventsQueryDto } from './dto/device.dto';

@ApiTags('devices')
@Controller('api/devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @ApiOkResponse({ type: DevicePageDto })
  list(@Query() query: ListDevicesQueryDto): Promise<DevicePageDto> {
    return this.devices.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: DeviceDetailDto })
  get(@Param('id') id: string): Promise<DeviceDetailDto> {
    return this.devices.get(id);
  }

  @Get(':id/events')
  @ApiOkResponse({ type: [DeviceEventDto], description: 'Newest first' })
  events(@Param('id') id: string, @Query() query: ListEventsQueryDto): Promise<DeviceEventDto[]> {
    return this.devices.listEvents(id, query);
  }
}
