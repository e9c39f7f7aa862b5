import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { CreateRolloutDto, ResumeRolloutDto, RolloutStatusDto } from '../dto/rollout.dto';
import { OtaJobsRepository } from '../jobs/ota-jobs.repository';
import { RolloutsService } from './rollouts.service';

class OtaJobsQueryDto {
  @IsOptional() @Matches(/^[a-z0-9][a-z0-9-]{2,63}$/) deviceId?: string;
}

@ApiTags('rollouts')
@Controller('api')
export class RolloutsController {
  constructor(
    private readonly rollouts: RolloutsService,
    private readonly jobs: OtaJobsRepository,
  ) {}

  @Post('rollouts')
  @ApiCreatedResponse({
    type: RolloutStatusDto,
    description: 'Devices that cannot take the model are listed in `skipped` with the reason',
  })
  create(@Body() dto: CreateRolloutDto): Promise<RolloutStatusDto> {
    return this.rollouts.create(dto);
  }

  @Get('rollouts')
  @ApiOkResponse({ type: [RolloutStatusDto] })
  list(): Promise<RolloutStatusDto[]> {
    return this.rollouts.list();
  }

  @Get('rollouts/:id')
  @ApiOkResponse({ type: RolloutStatusDto })
  status(@Param('id', ParseIntPipe) id: number): Promise<RolloutStatusDto> {
    return this.rollouts.status(id);
  }

  @Post('rollouts/:id/pause')
  @HttpCode(200)
  @ApiOkResponse({ type: RolloutStatusDto })
  pause(@Param('id', ParseIntPipe) id: number): Promise<RolloutStatusDto> {
    return this.rollouts.pause(id);
  }

  @Post('rollouts/:id/resume')
  @HttpCode(200)
  @ApiOkResponse({ type: RolloutStatusDto })
  resume(@Param('id', ParseIntPipe) id: number, @Body() dto: ResumeRolloutDto): Promise<RolloutStatusDto> {
    return this.rollouts.resume(id, dto);
  }

  @Post('rollouts/:id/abort')
  @HttpCode(200)
  @ApiOkResponse({ type: RolloutStatusDto })
  abort(@Param('id', ParseIntPipe) id: number): Promise<RolloutStatusDto> {
    return this.rollouts.abort(id);
  }

  @Post('rollouts/:id/rollback')
  @HttpCode(200)
  @ApiOkResponse({ type: RolloutStatusDto })
  rollback(@Param('id', ParseIntPipe) id: number): Promise<RolloutStatusDto> {
    return this.rollouts.rollback(id);
  }

  @Get('ota-jobs')
  @ApiOkResponse({ description: "A device's OTA jobs, newest first, each with every state transition" })
  async deviceJobs(@Query() q: OtaJobsQueryDto): Promise<unknown[]> {
    return this.jobs.listWithHistory(q.deviceId);
  }
}
