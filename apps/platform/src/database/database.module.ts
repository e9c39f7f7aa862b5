import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseHealth } from './database-health';
import { ENTITIES, MIGRATIONS } from './entities';

/** TypeORM over the `pg` driver, for PGlite-over-socket and PostgreSQL alike. Schema only by migrations. */
@Module({})
export class DatabaseModule {
  static forRoot(url: string, poolSize: number): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [DatabaseHealth],
      exports: [DatabaseHealth],
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url,
          entities: ENTITIES,
          migrations: MIGRATIONS,
          migrationsRun: true,
          migrationsTransactionMode: 'all',
          synchronize: false,
          // Failed queries surface as exceptions to their callers, which log them with context.
          logging: false,
          extra: { max: poolSize },
        }),
      ],
    };
  }
}
