import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createAuth } from '../auth/middleware.js';
import { identityUserKeys } from '../auth/identity-keys.js';
import { LocalDispatch, createHttpClient, createServiceClients } from '../clients/index.js';
import { systemClock, type Clock } from '../clock.js';
import { parseConfig, secretValues, type CommonConfig, type Env } from '../config/index.js';
import { migrateSchema, openDatabase, type Database } from '../db/index.js';
import { newApp, type App } from '../http/app.js';
import { createMetrics } from '../http/metrics.js';
import { createLogger, logOutputsFor, type Logger } from '../log/index.js';
import { schemaName, serviceInfo } from '../registry.js';
import { createState, type StateBackend } from '../state/index.js';
import type { Config, Ids, ServiceDefinition, ServiceDeps, Stopper } from './define.js';
import { seedCommands } from './seed.js';

/** What services in one process share: one database, one state backend, one dispatcher. */
export interface SharedRuntime {
  database: Database;
  state: StateBackend;
  dispatch: LocalDispatch;
  clock?: Clock;
  ids?: Ids;
  /** Log output (tests capture it). */
  logDestination?: NodeJS.WritableStream;
}

/** Parses a service's config from the environment it is given; throws ConfigError on problems. */
export function serviceConfig<S extends import('zod').ZodRawShape>(
  def: ServiceDefinition<S>,
  env: Env,
): Config<S> {
  return parseConfig(def.config ?? ({} as S), {
    ...env,
    MODULE_NAME: def.name,
    PORT: env.PORT ?? String(serviceInfo(def.name).port),
  });
}

function serviceLogger(module: string, version: string, config: CommonConfig, shared: SharedRuntime): Logger {
  const { outputs, problems } = logOutputsFor({ module, ...config });
  const log = createLogger({
    module,
    version,
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    secrets: secretValues(config),
    destination: shared.logDestination,
    outputs,
  });
  for (const problem of problems) log.warn(problem, { category: 'SYSTEM' });
  return log;
}

export function buildDeps<S extends import('zod').ZodRawShape, DB>(
  def: ServiceDefinition<S, DB>,
  config: Config<S>,
  shared: SharedRuntime,
  logger?: Logger,
): ServiceDeps<Config<S>, DB> {
  const log = logger ?? serviceLogger(def.name, def.version ?? config.MODULE_VERSION, config, shared);
  const clock = shared.clock ?? systemClock;
  const schema = schemaName(def.name);
  const fetchFn = shared.dispatch.fetch;
  return {
    name: def.name,
    config,
    logger: log,
    db: shared.database.forSchema<DB>(schema),
    readDb: shared.database.readForSchema<DB>(schema),
    database: shared.database,
    clock,
    ids: shared.ids ?? { uuid: randomUUID },
    state: shared.state,
    metrics: createMetrics(def.name),
    auth: createAuth({
      serviceApiKey: config.SERVICE_API_KEY,
      jwtSecret: config.SECRET_KEY,
      userKeys: identityUserKeys(shared.database.root, () => clock.now()),
      logger: log,
      now: shared.clock ? () => clock.now() : undefined,
    }),
    fetch: fetchFn,
    serviceClient: createServiceClients({ config, fetch: fetchFn, logger: log }),
    httpClient: (baseUrl, opts = {}) =>
      createHttpClient({
        baseUrl,
        fetch: fetchFn,
        timeoutMs: config.REQUEST_TIMEOUT * 1000,
        logger: log,
        ...opts,
      }),
  };
}

/** `createApp(deps)`: the service's Hono app from resolved dependencies (ARCHITECTURE.md). */
export function createApp<S extends import('zod').ZodRawShape, DB>(
  def: ServiceDefinition<S, DB>,
  deps: ServiceDeps<Config<S>, DB>,
): App {
  const redisCheck = deps.config.REDIS_URL
    ? [{ name: 'redis', required: def.requiresRedis ?? false, run: () => deps.state.ping() }]
    : [];
  const app = newApp({
    service: def.name,
    version: def.version ?? deps.config.MODULE_VERSION,
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: def.bodyLimitBytes,
    allowedOrigins: deps.config.ALLOWED_ORIGINS,
    // `/health` is an alias of /readyz everywhere (interaction-modules §1.1, core-and-admin §0.1),
    // beside the service's registry alias where that differs (legacy paths such as /router/health).
    healthAliases: [...new Set([serviceInfo(def.name).healthAlias, '/health'])],
    readiness: [
      { name: 'database', required: true, run: () => deps.database.ping() },
      ...redisCheck,
      ...(def.readiness?.(deps) ?? []),
    ],
  });
  def.routes(app, deps);
  return app;
}

export interface RunningService {
  name: string;
  port: number;
  url: string;
  app: App;
  deps: ServiceDeps<any, any>;
  /** Resolves when the start-up seeding finished (or gave up); never awaited by start-up. */
  seeded: Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  host?: string;
  /** Skip listening on a port (tests drive app.fetch directly). */
  listen?: boolean;
}

/** Migrates, builds the app, registers it for in-process dispatch, listens and seeds commands. */
export async function startService<S extends import('zod').ZodRawShape, DB>(
  def: ServiceDefinition<S, DB>,
  config: Config<S>,
  shared: SharedRuntime,
  opts: StartOptions = {},
): Promise<RunningService> {
  const deps = buildDeps(def, config, shared);
  if (def.migrations) await migrateSchema(shared.database, schemaName(def.name), def.migrations);
  const app = createApp(def, deps);
  const ownUrl = String(
    (config as Record<string, unknown>)[`${def.name.toUpperCase().replace(/-/g, '_')}_URL`],
  );
  shared.dispatch.register(ownUrl, app.fetch);

  let server: Server | undefined;
  let port = config.PORT;
  if (opts.listen !== false) {
    server = await new Promise<Server>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port, hostname: opts.host ?? '0.0.0.0' }, () =>
        resolve(s as Server),
      ) as Server;
      s.once('error', reject);
    });
    if (def.upgrade) server.on('upgrade', def.upgrade(deps));
    // PORT=0 (tests) picks a free port; report the one the system gave.
    const address = server.address();
    if (address && typeof address === 'object') port = address.port;
  }
  let stopBackground: Stopper | void = undefined;
  try {
    stopBackground = await def.start?.(deps);
  } catch (err) {
    deps.logger.error('background start failed', { err });
    throw err;
  }
  const seeded = def.commands ? seedCommands(deps, def.commands(deps)) : Promise.resolve();
  deps.logger.system('service started', { port, action: 'start', result: 'SUCCESS' });

  return {
    name: def.name,
    port,
    url: ownUrl,
    app,
    deps,
    seeded,
    async stop() {
      shared.dispatch.unregister(ownUrl);
      await stopBackground?.();
      if (server) await closeServer(server, 10_000);
      deps.logger.system('service stopped', { action: 'stop', result: 'SUCCESS' });
    },
  };
}

/** Stops accepting, lets in-flight requests finish for up to `graceMs`, then closes the rest. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections?.();
      resolve();
    }, graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections?.();
  });
}

/** `src/main.ts`: runs one service alone with its own database pool and state backend. */
export async function runService<S extends import('zod').ZodRawShape, DB>(
  def: ServiceDefinition<S, DB>,
  env: Env = process.env,
) {
  let config: Config<S>;
  try {
    config = serviceConfig(def, env);
  } catch (err) {
    const problems = (err as { problems?: string[] }).problems;
    if (!problems) throw err;
    for (const line of problems) process.stderr.write(`${line}\n`);
    process.exit(1);
  }
  const database = await openDatabase({
    url: config.DATABASE_URL,
    readReplicaUrl: config.READ_REPLICA_URL,
    dataDir: config.WADDLEBOT_DATA_DIR,
    poolSize: config.DB_POOL_SIZE,
  });
  const state = createState(config.REDIS_URL);
  const running = await startService(
    def,
    config,
    { database, state, dispatch: new LocalDispatch() },
    { host: env.HOST ?? '0.0.0.0' },
  );
  if (!config.REDIS_URL) {
    running.deps.logger.warn(
      'REDIS_URL is not set: dedup, rate limits and caches are in-memory and not shared between replicas',
    );
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.deps.logger.system('shutting down', { signal });
    await running.stop();
    await state.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return running;
}
