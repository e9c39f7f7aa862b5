import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** An Ed25519 public key whose signatures the registry accepts (key id = first 16 hex of sha256 of the raw key). */
@Entity('trusted_keys')
export class TrustedKey {
  @PrimaryColumn('text', { name: 'key_id' }) keyId!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'public_key_pem' }) publicKeyPem!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
