import { Body, Controller, Get, Header, Param, ParseIntPipe, Post, Put, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { EvidenceExport } from '@tinyfleet/pipeline/evidence/evidence-export.types';
import {
  CreateEvidenceRequestDto,
  EvidenceExportQueryDto,
  EvidenceRequestDto,
  EvidenceWindowDetailDto,
  EvidenceWindowDto,
  LabelEvidenceDto,
  ListEvidenceQueryDto,
} from './dto/evidence.dto';
import { EvidenceService } from './evidence.service';

@ApiTags('evidence')
@Controller('api/evidence')
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @Post('requests')
  @ApiOkResponse({ type: EvidenceRequestDto, description: 'Stored, and sent to every ACTIVE device of the cohort' })
  request(@Body() dto: CreateEvidenceRequestDto): Promise<EvidenceRequestDto> {
    return this.evidence.request(dto);
  }

  @Get('requests')
  @ApiOkResponse({ type: [EvidenceRequestDto], description: 'Newest first' })
  requests(): Promise<EvidenceRequestDto[]> {
    return this.evidence.listRequests();
  }

  @Get('requests/:id')
  @ApiOkResponse({ type: EvidenceRequestDto })
  getRequest(@Param('id', ParseIntPipe) id: number): Promise<EvidenceRequestDto> {
    return this.evidence.get(id);
  }

  @Get('windows')
  @ApiOkResponse({ type: [EvidenceWindowDto], description: 'Newest first, without their data' })
  windows(@Query() q: ListEvidenceQueryDto): Promise<EvidenceWindowDto[]> {
    return this.evidence.listWindows(q);
  }

  @Get('windows/:id')
  @ApiOkResponse({ type: EvidenceWindowDetailDto })
  window(@Param('id', ParseIntPipe) id: number): Promise<EvidenceWindowDetailDto> {
    return this.evidence.window(id);
  }

  @Get('windows/:id/image.png')
  @ApiProduces('image/png')
  @Header('content-type', 'image/png')
  async image(@Param('id', ParseIntPipe) id: number): Promise<StreamableFile> {
    return new StreamableFile(await this.evidence.png(id));
  }

  @Put('windows/:id/label')
  @ApiOkResponse({ type: EvidenceWindowDetailDto })
  label(@Param('id', ParseIntPipe) id: number, @Body() dto: LabelEvidenceDto): Promise<EvidenceWindowDetailDto> {
    return this.evidence.label(id, dto.label ?? null);
  }

  @Get('export')
  @ApiOkResponse({ description: 'Labelled windows with their raw data (format tinyfleet-evidence/1)' })
  export(@Query() q: EvidenceExportQueryDto): Promise<EvidenceExport> {
    return this.evidence.export(q);
  }
}
