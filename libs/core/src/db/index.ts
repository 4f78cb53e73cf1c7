import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { withTimeout } from '../http/app.js';
import { PGliteDialect } from './pglite-dialect.js';

export type { Migration };
export { sql };

/** The process's database: one pool (or one embedded PGlite) shared by every service in it. */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** Unscoped handle; prefer `forSchema`. */
  readonly root: Kysely<any>;
  /** Read replica when READ_REPLICA_URL is set, else the same as root. */
  readonly readRoot: Kysely<any>;
  /** Kysely whose unqualified table names resolve in the given service schema. */
  forSchema<DB = any>(schema: string): Kysely<DB>;
  readForSchema<DB = any>(schema: string): Kysely<DB>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  url?: string;
  readReplicaUrl?: string;
  /** Directory for the embedded database; in-memory when omitted (tests). */
  dataDir?: string;
  poolSize?: number;
}

const INT8_OID = 20;
/** bigint counts as JS numbers on both drivers, so `count(*)` reads the same on pg and PGlite. */
const parseInt8 = (v: string) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
};

const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID
      ? parseInt8
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

function pgKysely(url: string, max: number): { db: Kysely<any>; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max, types: pgTypes, connectionTimeoutMillis: 5000 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return { db: new Kysely<any>({ dialect: new PostgresDialect({ pool }) }), pool };
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const scoped = (root: Kysely<any>) => {
    const cache = new Map<string, Kysely<any>>();
    return (schema: string) => {
      let k = cache.get(schema);
      if (!k) cache.set(schema, (k = root.withSchema(schema)));
      return k;
    };
  };
  if (opts.url) {
    const main = pgKysely(opts.url, opts.poolSize ?? 10);
    const replica = opts.readReplicaUrl ? pgKysely(opts.readReplicaUrl, opts.poolSize ?? 10) : undefined;
    const forSchema = scoped(main.db);
    const readForSchema = replica ? scoped(replica.db) : forSchema;
    return {
      kind: 'postgres',
      root: main.db,
      readRoot: replica?.db ?? main.db,
      forSchema,
      readForSchema,
      ping: () =>
        withTimeout(
          sql`select 1`.execute(main.db).then(() => undefined),
          2000,
        ),
      close: async () => {
        await main.db.destroy();
        await replica?.db.destroy();
      },
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  let dataDir: string | undefined;
  if (opts.dataDir) {
    dataDir = path.resolve(opts.dataDir, 'pglite');
    mkdirSync(dataDir, { recursive: true });
  }
  const pglite = await PGlite.create(
    dataDir ? { dataDir, parsers: { [INT8_OID]: parseInt8 } } : { parsers: { [INT8_OID]: parseInt8 } },
  );
  const root = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
  const forSchema = scoped(root);
  return {
    kind: 'pglite',
    root,
    readRoot: root,
    forSchema,
    readForSchema: forSchema,
    ping: () =>
      withTimeout(
        sql`select 1`.execute(root).then(() => undefined),
        2000,
      ),
    close: async () => {
      await root.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

/**
 * Creates the service's schema and runs its migrations once. The whole run holds a Postgres
 * advisory lock, so replicas starting together take turns and the second finds nothing to do.
 */
export async function migrateSchema(
  database: Database,
  schema: string,
  migrations: Record<string, Migration>,
) {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  return database.root.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${`waddlebot:migrate:${schema}`}))`.execute(conn);
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(conn);
      const migrator = new Migrator({
        db: conn.withSchema(schema),
        provider,
        migrationTableSchema: schema,
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw error instanceof Error ? error : new Error(String(error));
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${`waddlebot:migrate:${schema}`}))`.execute(conn);
    }
  });
}

/** Multi-row insert in chunks of at most 1000 rows (platform.md §1.2). */
export async function insertChunked<T extends Record<string, unknown>>(
  db: Kysely<any>,
  table: string,
  rows: T[],
  chunkSize = 1000,
) {
  for (let i = 0; i < rows.length; i += chunkSize) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + chunkSize))
      .execute();
  }
}

/** Postgres unique_violation: turn into a 409 where a name must be unique. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === '23505';
}
