import type { ArtifactManifest } from '@tinyfleet/artifact';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A signed, verified model build: the .tflite, its Huffman-coded OTA form, the manifest as signed. */
@Entity('model_artifacts')
export class ModelArtifact {
  @PrimaryGeneratedColumn() id!: number;
  @Column('text') name!: string;
  @Column('text') version!: string;
  /** sha256 (hex) of the .tflite. */
  @Column('text') sha256!: string;
  @Column('bytea', { name: 'model_bytes' }) modelBytes!: Buffer;
  @Column('bytea', { name: 'ota_bytes', nullable: true }) otaBytes!: Buffer | null;
  /** manifest.json exactly as uploaded (its sha256 is in the signed device manifest). */
  @Column('text', { name: 'manifest_text' }) manifestText!: string;
  /**
   * The device manifest (TFDM/1 CBOR) exactly as signed: what a device receives ahead of the model.
   * Null for artifacts registered before devices took TFDM/1; those cannot be delivered.
   */
  @Column('bytea', { name: 'device_manifest', nullable: true }) deviceManifest!: Buffer | null;
  @Column('jsonb') manifest!: ArtifactManifest;
  /** base64 Ed25519 signature. */
  @Column('text') signature!: string;
  @Column('text', { name: 'key_id' }) keyId!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
