import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  LocalDispatch,
  createState,
  openDatabase,
  serviceConfig,
  startService,
  type RunningService,
} from '@waddlebot/core';
import { service } from '@waddlebot/router';

/** A port nobody listens on: identity, labels and reputation are absent in the benchmark. */
const CLOSED = 'http://127.0.0.1:9';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

/** The tiny module of the command round trip: answers every ModuleRequest with one chat line. */
export function tinyModule(): Server {
  const body = JSON.stringify({ success: true, response_action: 'chat', chat_message: 'pong' });
  return createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
}

export interface RouterStack {
  url: string;
  serviceKey: string;
  running: RunningService;
  database: string;
  state: string;
  close(): Promise<void>;
}

/**
 * The router alone in this process, on the embedded default (PGlite + memory state) unless
 * DATABASE_URL / REDIS_URL are given.
 */
export async function startRouter(env: { DATABASE_URL?: string; REDIS_URL?: string }): Promise<RouterStack> {
  const serviceKey = randomBytes(32).toString('hex');
  const port = await freePort();
  const config = serviceConfig(service, {
    SERVICE_API_KEY: serviceKey,
    PORT: String(port),
    ROUTER_URL: `http://127.0.0.1:${port}`,
    IDENTITY_URL: CLOSED,
    LABELS_URL: CLOSED,
    REPUTATION_URL: CLOSED,
    BROWSER_SOURCE_URL: CLOSED,
    LOG_LEVEL: 'error',
    ...(env.DATABASE_URL ? { DATABASE_URL: env.DATABASE_URL } : {}),
    ...(env.REDIS_URL ? { REDIS_URL: env.REDIS_URL } : {}),
  });
  const database = await openDatabase({ url: config.DATABASE_URL });
  const state = createState(config.REDIS_URL);
  const running = await startService(
    service,
    config,
    { database, state, dispatch: new LocalDispatch() },
    { host: '127.0.0.1' },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    serviceKey,
    running,
    database: database.kind,
    state: state.kind,
    async close() {
      await running.stop();
      await state.close();
      await database.close();
    },
  };
}
