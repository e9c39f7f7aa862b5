import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { BrokerPort, ProvisioningEndpoint } from '../broker/broker.port';
import { PlatformInstance } from '../common/platform-instance';
import { DatabaseHealth } from '../database/database-health';

class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: 'ok' | 'degraded';
  @ApiProperty({ enum: ['up', 'down'] }) database!: 'up' | 'down';
  @ApiProperty({ enum: ['embedded', 'external', 'nats'] }) brokerMode!: BrokerPort['mode'];
  @ApiProperty({ description: 'where devices connect as themselves' }) mqttUrl!: string;
  @ApiProperty({ description: 'where devices register by claim (the same URL with the embedded broker)' })
  provisioningUrl!: string;
  @ApiProperty() uptimeS!: number;
  @ApiProperty({ description: 'this platform process among those sharing the database (new at every start)' })
  instanceId!: string;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: DatabaseHealth,
    private readonly broker: BrokerPort,
    private readonly provisioning: ProvisioningEndpoint,
    private readonly instance: PlatformInstance,
  ) {}

  @Get()
  @ApiOkResponse({ type: HealthDto, description: '503 with the same body when the database does not answer' })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const database = await this.database.ping();
    if (database === 'down') res.status(503);
    return {
      status: database === 'up' ? 'ok' : 'degraded',
      database,
      brokerMode: this.broker.mode,
      mqttUrl: this.broker.url(),
      provisioningUrl: this.provisioning.url(),
      uptimeS: Math.round(process.uptime()),
      instanceId: this.instance.id,
    };
  }
}
