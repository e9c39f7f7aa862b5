import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ClaimsService } from './claims.service';
import { ClaimDetailDto, ClaimDto, CreateClaimDto, CreatedClaimDto, UpdateClaimDto } from './dto/claim.dto';

@ApiTags('claims')
@Controller('api/claims')
export class ClaimsController {
  constructor(private readonly claims: ClaimsService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedClaimDto, description: 'The secret is in this response only.' })
  create(@Body() dto: CreateClaimDto): Promise<CreatedClaimDto> {
    return this.claims.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: [ClaimDto] })
  list(): Promise<ClaimDto[]> {
    return this.claims.list();
  }

  @Get(':id')
  @ApiOkResponse({ type: ClaimDetailDto })
  get(@Param('id') id: string): Promise<ClaimDetailDto> {
    return this.claims.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: ClaimDto })
  update(@Param('id') id: string, @Body() dto: UpdateClaimDto): Promise<ClaimDto> {
    return this.claims.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id') id: string): Promise<void> {
    return this.claims.remove(id);
  }
}
