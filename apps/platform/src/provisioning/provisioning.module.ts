import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Claim } from './claim.entity';
import { ClaimsController } from './claims.controller';
import { ClaimsService } from './claims.service';
import { credentialHasherProvider } from './credential-key.provider';
import { ProvisioningAttempt } from './provisioning-attempt.entity';
import { ProvisioningService } from './provisioning.service';
import { RegistrationsRepository } from './registrations.repository';

@Module({
  imports: [TypeOrmModule.forFeature([Claim, ProvisioningAttempt]), DevicesModule],
  providers: [ClaimsService, ProvisioningService, RegistrationsRepository, credentialHasherProvider],
  controllers: [ClaimsController],
  exports: [ClaimsService, ProvisioningService, credentialHasherProvider],
})
export class ProvisioningModule {}
