import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface FakeResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait before answering (timeouts). */
  delayMs?: number;
}

export type FakeHandler = (req: RecordedRequest) => FakeResponse | Promise<FakeResponse> | undefined;

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Answer `METHOD /path` (exact path, or a RegExp) with a fixed response or a function. */
  on(method: string, path: string | RegExp, response: FakeResponse | FakeHandler): void;
  /** Requests received for a method and path. */
  calls(method: string, path: string | RegExp): RecordedRequest[];
  waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A recording HTTP server on 127.0.0.1 that plays a platform or another service in tests.
 * Unrouted requests answer 404 `{error:"not found"}`.
 */
export async function startFakeServer(fallback?: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const routes: { method: string; path: string | RegExp; handler: FakeHandler }[] = [];
  const matches = (p: string | RegExp, path: string) => (typeof p === 'string' ? p === path : p.test(path));
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        text,
        json,
      };
      requests.push(recorded);
      const route = [...routes]
        .reverse()
        .find((r) => (r.method === '*' || r.method === recorded.method) && matches(r.path, recorded.path));
      let answer: FakeResponse | undefined;
      try {
        answer = route ? await route.handler(recorded) : await fallback?.(recorded);
      } catch (err) {
        answer = { status: 500, body: { error: String(err) } };
      }
      answer ??= { status: 404, body: { error: 'not found' } };
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer!.delayMs));
      const body =
        answer.body === undefined
          ? ''
          : typeof answer.body === 'string'
            ? answer.body
            : JSON.stringify(answer.body);
      const headers = {
        ...(typeof answer.body === 'object' && answer.body !== null
          ? { 'content-type': 'application/json' }
          : {}),
        ...answer.headers,
      };
      if (res.destroyed) return;
      res.writeHead(answer.status ?? 200, headers);
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on(method, path, response) {
      routes.push({
        method: method.toUpperCase(),
        path,
        handler: typeof response === 'function' ? response : () => response,
      });
    },
    calls(method, path) {
      return requests.filter((r) => r.method === method.toUpperCase() && matches(path, r.path));
    },
    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = requests.find(predicate);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error('fake server: expected request did not arrive');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    reset() {
      requests.length = 0;
      routes.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
