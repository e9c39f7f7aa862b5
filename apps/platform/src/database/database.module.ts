import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ENTITIES, MIGRATIONS } from './entities';

/** TypeORM over the `pg` driver, for PGlite-over-socket and PostgreSQL alike. Schema only by migrations. */
@Module({})
export class DatabaseModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: DatabaseModule,
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
          // PGlite serves at most `maxConnections` sockets (set above this) and runs one query at a time.
          extra: { max: 10 },
        }),
      ],
    };
  }
}
