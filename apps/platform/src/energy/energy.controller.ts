import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EnergyReportQueryDto } from './dto/energy-report-query.dto';
import { renderCsv } from './energy-report.csv';
import { renderHtml } from './energy-report.html';
import { EnergyReportService } from './energy-report.service';
import type { EnergyReport } from './energy-report.types';

@ApiTags('energy')
@Controller('api/energy')
export class EnergyController {
  constructor(private readonly reports: EnergyReportService) {}

  @Get('report')
  @Header('cache-control', 'no-store')
  @ApiProduces('application/json', 'text/csv', 'text/html')
  @ApiOkResponse({
    description:
      'Edge inference vs raw streaming energy per group, time series, what-if radios/MCUs, model versions, assumptions and sources',
  })
  async report(
    @Query() query: EnergyReportQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EnergyReport | string> {
    const report = await this.reports.report(query);
    const format = query.format ?? 'json';
    if (format === 'json') return report;
    const stamp = report.generatedAt.replace(/[:.]/g, '-');
    res.setHeader('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'text/html; charset=utf-8');
    res.setHeader('content-disposition', `inline; filename="energy-report-${stamp}.${format}"`);
    return format === 'csv' ? renderCsv(report) : renderHtml(report);
  }
}
