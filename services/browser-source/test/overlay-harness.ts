import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import {
  createTestRuntime,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import WebSocket from 'ws';
import { attachOverlaySockets } from '../src/overlay-server.js';
import { overlaySocketsOf, service } from '../src/service.js';

export type FetchHandler = (req: Request, env?: unknown) => Response | Promise<Response>;

/** An HTTP server on 127.0.0.1 whose app is bound later, so BASE_URL can name its port. */
export async function lateBoundServer(): Promise<{
  server: Server;
  url: string;
  bind(fetch: FetchHandler): void;
  close(): Promise<void>;
}> {
  let handler: FetchHandler | undefined;
  const server = await new Promise<Server>((resolve) => {
    const s = serve(
      {
        fetch: (req, env) => (handler ? handler(req, env) : new Response('not ready', { status: 503 })),
        port: 0,
        hostname: '127.0.0.1',
      },
      () => resolve(s as Server),
    ) as Server;
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    bind: (fetch) => (handler = fetch),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface OverlayHarness {
  rt: TestRuntime;
  app: Awaited<ReturnType<TestRuntime['add']>>['app'];
  deps: Awaited<ReturnType<TestRuntime['add']>>['deps'];
  baseUrl: string;
  community: FakeServer;
  youtube: FakeServer;
  close(): Promise<void>;
}

/** browser-source in a test runtime, served on a real port with its sockets attached. */
export async function startOverlayHarness(env: Record<string, string> = {}): Promise<OverlayHarness> {
  const community = await startFakeServer();
  const youtube = await startFakeServer();
  const http = await lateBoundServer();
  const rt = await createTestRuntime({
    env: { COMMUNITY_URL: community.url, YOUTUBE_MUSIC_URL: youtube.url, BASE_URL: http.url, ...env },
  });
  const { app, deps } = await rt.add(service);
  http.bind(app.fetch as FetchHandler);
  const detach = attachOverlaySockets(http.server, overlaySocketsOf(deps));
  return {
    rt,
    app,
    deps,
    baseUrl: http.url,
    community,
    youtube,
    async close() {
      detach();
      await http.close();
      await rt.close();
      await community.close();
      await youtube.close();
    },
  };
}

export interface TestSocket {
  ws: WebSocket;
  frames: any[];
  /** Resolves with the first frame (already received or future) matching the predicate. */
  next(predicate: (frame: any) => boolean, timeoutMs?: number): Promise<any>;
  closed: Promise<{ code: number; reason: string }>;
  send(msg: unknown): void;
}

export function openSocket(url: string): TestSocket {
  const ws = new WebSocket(url);
  const frames: any[] = [];
  const waiters: { predicate: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    frames.push(frame);
    for (const w of [...waiters])
      if (w.predicate(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return {
    ws,
    frames,
    closed,
    send: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    next(predicate, timeoutMs = 10_000) {
      const seen = frames.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching frame before the deadline')), timeoutMs);
        waiters.push({
          predicate,
          resolve: (f) => {
            clearTimeout(timer);
            resolve(f);
          },
        });
      });
    },
  };
}

export function socketUrl(baseUrl: string, token: string, type: string) {
  return `${baseUrl.replace(/^http/, 'ws')}/ws/${token}/${type}`;
}
