import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DeviceConfigService } from './device-config.service';
import { DevicesService } from './devices.service';
import { DeviceConfigDto, DeviceConfigStateDto } from './dto/device-config.dto';
import {
  DeviceDetailDto,
  DeviceEventDto,
  DevicePageDto,
  ListDevicesQueryDto,
  ListEventsQueryDto,
} from './dto/device.dto';

@ApiTags('devices')
@Controller('api/devices')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly configs: DeviceConfigService,
  ) {}

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

  @Post(':id/release')
  @HttpCode(200)
  @ApiOkResponse({
    type: DeviceDetailDto,
    description:
      'Releases the hardware id from its provisioning scope: the next claim it registers through adopts it (that claim’s policy applies)',
  })
  release(@Param('id') id: string): Promise<DeviceDetailDto> {
    return this.devices.releaseProvisioning(id);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @ApiOkResponse({
    type: DeviceDetailDto,
    description: 'ACTIVE → SUSPENDED: its credentials are refused until it is resumed (409 from any other state)',
  })
  suspend(@Param('id') id: string): Promise<DeviceDetailDto> {
    return this.devices.act(id, 'suspend');
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOkResponse({ type: DeviceDetailDto, description: 'SUSPENDED → ACTIVE: it may connect again' })
  resume(@Param('id') id: string): Promise<DeviceDetailDto> {
    return this.devices.act(id, 'resume');
  }

  @Post(':id/decommission')
  @HttpCode(200)
  @ApiOkResponse({
    type: DeviceDetailDto,
    description:
      'Final: its credentials stop working and its hardware id cannot register again; its events and history stay',
  })
  decommission(@Param('id') id: string): Promise<DeviceDetailDto> {
    return this.devices.act(id, 'decommission');
  }

  @Get(':id/events')
  @ApiOkResponse({ type: [DeviceEventDto], description: 'Newest first' })
  events(@Param('id') id: string, @Query() query: ListEventsQueryDto): Promise<DeviceEventDto[]> {
    return this.devices.listEvents(id, query);
  }

  @Get(':id/config')
  @ApiOkResponse({ type: DeviceConfigStateDto })
  getConfig(@Param('id') id: string): Promise<DeviceConfigStateDto> {
    return this.configs.get(id);
  }

  @Put(':id/config')
  @ApiOkResponse({ type: DeviceConfigStateDto, description: 'Stored, and sent to the device on down/config' })
  setConfig(@Param('id') id: string, @Body() dto: DeviceConfigDto): Promise<DeviceConfigStateDto> {
    return this.configs.set(id, dto);
  }
}
