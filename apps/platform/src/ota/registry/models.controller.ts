import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ModelDetailDto, ModelVersionDto, TrustedKeyDto, TrustKeyDto, UploadModelDto } from '../dto/model.dto';
import { ModelRegistryService } from './model-registry.service';

@ApiTags('models')
@Controller('api')
export class ModelsController {
  constructor(private readonly registry: ModelRegistryService) {}

  @Post('models')
  @ApiCreatedResponse({
    type: ModelDetailDto,
    description: '400 with the reason when the signature, a hash or the OTA form does not verify',
  })
  upload(@Body() dto: UploadModelDto): Promise<ModelDetailDto> {
    return this.registry.upload(dto);
  }

  @Get('models')
  @ApiQuery({ name: 'name', required: false })
  @ApiOkResponse({ type: [ModelVersionDto] })
  list(@Query('name') name?: string): Promise<ModelVersionDto[]> {
    return this.registry.list(name);
  }

  @Get('models/:name/:version')
  @ApiOkResponse({ type: ModelDetailDto })
  get(@Param('name') name: string, @Param('version') version: string): Promise<ModelDetailDto> {
    return this.registry.get(name, version);
  }

  @Post('keys')
  @ApiCreatedResponse({ type: TrustedKeyDto, description: 'Artifacts signed by this key are accepted from now on' })
  trust(@Body() dto: TrustKeyDto): Promise<TrustedKeyDto> {
    return this.registry.trustKey(dto);
  }

  @Get('keys')
  @ApiOkResponse({ type: [TrustedKeyDto] })
  keys(): Promise<TrustedKeyDto[]> {
    return this.registry.listKeys();
  }
}
