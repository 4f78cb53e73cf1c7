import { Writable } from 'node:stream';
import type { z } from 'zod';
import { LocalDispatch } from '../clients/dispatch.js';
import { FakeClock, type Clock } from '../clock.js';
import type { Env } from '../config/index.js';
import { SERVICES, envPrefix } from '../registry.js';
import type { Config, ServiceDefinition } from '../service/define.js';
import { serviceConfig, startService, type RunningService, type SharedRuntime } from '../service/runtime.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createTestState } from './state.js';

export const TEST_SERVICE_KEY = 'test-service-key-0123456789abcdef-0123456789';
export const TEST_SECRET_KEY = 'test-secret-key-for-jwt-signing-0123456789';

/**
 * Every service URL of a test points at 127.0.0.1 on its port + 50000: services added to the
 * runtime answer in-process; any other refuses the connection at once (and never reaches a
 * platform someone is running on the real ports).
 */
export function testEnv(overrides: Env = {}): Env {
  const urls = Object.fromEntries(
    SERVICES.map((s) => [`${envPrefix(s.name)}_URL`, `http://127.0.0.1:${s.port + 50000}`]),
  );
  return {
    SERVICE_API_KEY: TEST_SERVICE_KEY,
    SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: 'info',
    REQUEST_TIMEOUT: '5',
    ...urls,
    ...overrides,
  };
}

export interface TestRuntime {
  shared: SharedRuntime;
  db: TestDatabase;
  clock: Clock;
  /** Every log line every service of this runtime wrote (JSON). */
  logLines: string[];
  env: Env;
  add<S extends z.ZodRawShape, DB>(
    def: ServiceDefinition<S, DB>,
    env?: Env,
    opts?: { listen?: boolean },
  ): Promise<RunningService & { deps: import('../service/define.js').ServiceDeps<Config<S>, DB> }>;
  close(): Promise<void>;
}

export interface TestRuntimeOptions {
  clock?: Clock;
  env?: Env;
  state?: 'auto' | 'memory' | 'redis';
}

/** Services sharing one test database, state backend and in-process dispatcher; nothing listens unless asked. */
export async function createTestRuntime(opts: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const db = await createTestDatabase();
  const clock = opts.clock ?? new FakeClock();
  const state = createTestState(clock, opts.state);
  const logLines: string[] = [];
  const logDestination = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const shared: SharedRuntime = {
    database: db.database,
    state,
    dispatch: new LocalDispatch(),
    clock,
    logDestination,
  };
  const env = testEnv(opts.env);
  const running: RunningService[] = [];
  return {
    shared,
    db,
    clock,
    logLines,
    env,
    async add(def, extraEnv = {}, addOpts = {}) {
      // A listening service (WebSocket tests) takes a free port on 127.0.0.1.
      const listenEnv = addOpts.listen ? { PORT: '0' } : {};
      const config = serviceConfig(def, { ...env, ...extraEnv, ...listenEnv });
      const svc = await startService(def, config, shared, {
        listen: addOpts.listen ?? false,
        host: '127.0.0.1',
      });
      running.push(svc);
      return svc as never;
    },
    async close() {
      for (const svc of running.reverse()) await svc.stop();
      await state.close();
      await db.cleanup();
    },
  };
}

/** Builds headers for an internal call. */
export function serviceHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'X-Service-Key': TEST_SERVICE_KEY, 'Content-Type': 'application/json', ...extra };
}

/** `app.request` with JSON in and out: `call(app, 'POST', '/x', body)`. */
export async function call(
  app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = serviceHeaders(),
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await app.request(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
