import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBase64, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** An artifact folder's files, as `tinyfleet model push DIR` sends them. */
export class UploadModelDto {
  @ApiProperty({ description: 'manifest.json, exactly as signed (text)' })
  @IsString()
  @MinLength(2)
  @MaxLength(1_000_000)
  manifest!: string;

  @ApiProperty({ description: 'signature.json (text)' })
  @IsString()
  @MinLength(2)
  @MaxLength(10_000)
  signature!: string;

  @ApiProperty({ description: 'model.tflite, base64' })
  @IsBase64()
  @MaxLength(24_000_000)
  model!: string;

  @ApiPropertyOptional({ description: 'model.tfhc (Huffman-coded OTA form), base64' })
  @IsOptional()
  @IsBase64()
  @MaxLength(24_000_000)
  ota?: string;
}

export class TrustKeyDto {
  @ApiProperty({ example: 'release key 2026' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiProperty({ description: 'Ed25519 public key, PEM (SPKI)' })
  @IsString()
  @MinLength(40)
  @MaxLength(2000)
  publicKeyPem!: string;
}

export class TrustedKeyDto {
  @ApiProperty({ description: 'first 16 hex digits of sha256 of the raw public key' }) keyId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() createdAt!: string;
}

export class ModelVersionDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() version!: string;
  @ApiProperty() sha256!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'bytes: .tflite (int8), Huffman-coded OTA form, and the float32 model it came from' })
  sizes!: { tfliteBytes: number; otaBytes: number | null; float32TfliteBytes: number | null };
  @ApiProperty({ description: 'planned activations (the tensor arena without scratch and persistent data)' })
  arenaBytes!: number;
  @ApiProperty({
    description:
      'RAM the device interpreter needs: activations + scratch + persistent at 32-bit pointers (what admission checks)',
  })
  ramBytes!: number;
  @ApiProperty({
    type: Object,
    nullable: true,
    description: 'the parts of ramBytes (null for a model built before they were counted)',
  })
  memory!: { activationsBytes: number; scratchBytes: number; persistentBytes: number; totalBytes: number } | null;
  @ApiProperty() flashBytes!: number;
  @ApiProperty() macs!: number;
  @ApiProperty({ type: Object }) ops!: Record<string, number>;
  @ApiProperty({ type: [String] }) labels!: string[];
  @ApiProperty({ type: Object, description: 'accuracy and size per pipeline stage, on the held-out split' })
  metrics!: unknown[];
  @ApiProperty() minInterpreterVersion!: string;
  @ApiProperty() createdAt!: string;
}

export class ModelDetailDto extends ModelVersionDto {
  @ApiProperty({ type: Object, description: 'the full signed manifest' }) manifest!: unknown;
}
