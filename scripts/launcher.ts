import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ConfigError,
  LocalDispatch,
  SERVICES,
  createLogger,
  createState,
  envPrefix,
  openDatabase,
  serviceConfig,
  startService,
  type Env,
  type RunningService,
  type ServiceDefinition,
} from '@waddlebot/core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Services whose folder exists, in registry order, narrowed by WADDLEBOT_SERVICES=a,b. */
export function selectServices(env: Env, root = ROOT): string[] {
  const existing = SERVICES.map((s) => s.name).filter((name) =>
    existsSync(path.join(root, 'services', name, 'src', 'service.ts')),
  );
  const wanted = env.WADDLEBOT_SERVICES?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted) return existing;
  const unknown = wanted.filter((w) => !(existing as string[]).includes(w));
  if (unknown.length)
    throw new Error(`WADDLEBOT_SERVICES names services that do not exist here: ${unknown.join(', ')}`);
  return existing.filter((name) => wanted.includes(name));
}

/** A secret of the embedded default, generated once into the data directory (0600) and reused. */
function ensureSecretFile(dataDir: string, name: string): string {
  const file = path.resolve(dataDir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/** The generated SERVICE_API_KEY of the embedded default (contracts §17.3). */
export function ensureServiceKey(dataDir: string): string {
  return ensureSecretFile(dataDir, 'service-api-key');
}

/** The generated SECRET_KEY (JWT signing) that identity and portal share in one process. */
export function ensureSecretKey(dataDir: string): string {
  return ensureSecretFile(dataDir, 'secret-key');
}

/**
 * The shared environment of every service in the process: `<NAME>_URL` defaults to
 * 127.0.0.1:<port> and `<NAME>_PORT` overrides a port; explicit `<NAME>_URL` values win.
 */
export function allInOneEnv(env: Env, serviceKey: string | undefined, secretKey?: string): Env {
  const shared: Env = { ...env };
  if (serviceKey) shared.SERVICE_API_KEY = serviceKey;
  if (secretKey) shared.SECRET_KEY = secretKey;
  for (const s of SERVICES) {
    const port = env[`${envPrefix(s.name)}_PORT`] ?? String(s.port);
    shared[`${envPrefix(s.name)}_URL`] ??= `http://127.0.0.1:${port}`;
  }
  delete shared.PORT; // applies only to a service started alone (contracts §17.2)
  delete shared.MODULE_NAME;
  return shared;
}

export async function launch(env: Env) {
  const dataDir = env.WADDLEBOT_DATA_DIR ?? path.join(ROOT, '.data');
  const log = createLogger({
    module: 'launcher',
    format: env.LOG_FORMAT === 'json' ? 'json' : 'text',
    level: 'info',
  });
  const names = selectServices(env);
  if (names.length === 0) throw new Error('no services found under services/');

  const generatedKey = env.SERVICE_API_KEY ? undefined : ensureServiceKey(dataDir);
  const generatedSecret = env.SECRET_KEY ? undefined : ensureSecretKey(dataDir);
  const shared = allInOneEnv({ ...env, WADDLEBOT_DATA_DIR: dataDir }, generatedKey, generatedSecret);

  const defs: { def: ServiceDefinition; config: ReturnType<typeof serviceConfig> }[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const mod = (await import(
      pathToFileURL(path.join(ROOT, 'services', name, 'src', 'service.ts')).href
    )) as { service: ServiceDefinition };
    const port = env[`${envPrefix(name)}_PORT`];
    try {
      defs.push({
        def: mod.service,
        config: serviceConfig(mod.service, { ...shared, ...(port ? { PORT: port } : {}) }),
      });
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length) {
    for (const line of new Set(problems)) process.stderr.write(`${line}\n`);
    process.exit(1);
  }

  const first = defs[0]!.config;
  const database = await openDatabase({
    url: first.DATABASE_URL,
    readReplicaUrl: first.READ_REPLICA_URL,
    dataDir,
    poolSize: first.DB_POOL_SIZE,
  });
  const state = createState(first.REDIS_URL);
  const runtime = { database, state, dispatch: new LocalDispatch() };
  const host = env.HOST ?? '127.0.0.1';

  const running: RunningService[] = [];
  for (const { def, config } of defs) running.push(await startService(def, config, runtime, { host }));

  const lines = [
    '',
    `WaddleBot is running: ${running.length} service(s) in one process`,
    `  database: ${database.kind === 'pglite' ? `embedded PGlite in ${path.resolve(dataDir, 'pglite')}` : 'PostgreSQL (DATABASE_URL)'}`,
    `  state:    ${state.kind === 'redis' ? 'Redis (REDIS_URL)' : 'in-memory'}`,
    generatedKey
      ? `  service key file: ${path.resolve(dataDir, 'service-api-key')}`
      : '  service key: SERVICE_API_KEY from the environment',
    '',
    ...running.map(
      (s) =>
        `  ${s.name.padEnd(15)} http://${host}:${s.port}   (docs: http://${host}:${s.port}/openapi.json)`,
    ),
  ];
  const portal = running.find((s) => s.name === 'portal');
  const overlays = running.find((s) => s.name === 'browser-source');
  if (portal) lines.push('', `  portal:   http://${host}:${portal.port}/`);
  if (overlays)
    lines.push(
      `  overlays: http://${host}:${overlays.port}/browser/source/<token>/{ticker,media,general}` +
        ' (tokens: GET /browser/source/api/communities/<id>/urls or the portal)',
    );
  lines.push('', 'Press Ctrl-C to stop.', '');
  process.stdout.write(lines.join('\n'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.system('shutting down', { signal });
    for (const s of [...running].reverse()) await s.stop();
    await state.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return running;
}
