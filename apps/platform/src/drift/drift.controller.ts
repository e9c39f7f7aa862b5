import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DriftQueryDto } from './dto/drift-query.dto';
import { DriftOverview, DriftService } from './drift.service';

@ApiTags('drift')
@Controller('api/drift')
export class DriftController {
  constructor(private readonly drift: DriftService) {}

  @Get()
  @ApiOperation({
    summary:
      'Label-free drift per cohort (model version × stream × MCU × radio): latest verdict and the series over time',
  })
  get(@Query() q: DriftQueryDto): Promise<DriftOverview> {
    return this.drift.overview({
      modelId: q.model,
      modelVersion: q.version,
      stream: q.stream,
      mcu: q.mcu,
      radio: q.radio,
      sinceMs: q.since ? Date.parse(q.since) : undefined,
    });
  }
}
