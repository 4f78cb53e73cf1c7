import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { runLoad, type LoadResult } from './load.js';
import { listen, startRouter, tinyModule } from './router-stack.js';

/**
 * `npm run bench`: a bare node:http baseline, non-command chat ingest and a full command round
 * trip through the router to an in-process module. Every run is bounded in time and connections.
 * Reads DATABASE_URL / REDIS_URL (the one place this harness looks at the environment).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

let counter = 0;
function chatBody(text: string) {
  const n = ++counter;
  // Unique users and event ids: dedup and the flood guard must not short-circuit the work measured.
  return JSON.stringify({
    platform: 'twitch',
    server_id: '1001',
    channel_id: '',
    user_id: `u${n}`,
    user_name: `user${n}`,
    message_content: text,
    message_type: 'chatMessage',
    event_id: `bench-${process.pid}-${n}`,
    metadata: { message_id: `m${n}` },
  });
}

async function baseline(): Promise<LoadResult> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello');
  });
  const port = await listen(server);
  try {
    return await runLoad({
      scenario: 'baseline node:http',
      url: `http://127.0.0.1:${port}`,
      seconds: SECONDS,
      connections: CONNECTIONS,
    });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

async function routerScenarios(env: { DATABASE_URL?: string; REDIS_URL?: string }): Promise<LoadResult[]> {
  const module = tinyModule();
  const modulePort = await listen(module);
  const stack = await startRouter(env);
  const label = `${stack.database}/${stack.state}`;
  const headers = { 'content-type': 'application/json', 'x-service-key': stack.serviceKey };
  try {
    const reg = await fetch(`${stack.url}/router/admin/commands`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        command: 'bench',
        module_name: 'bench',
        location_url: `http://127.0.0.1:${modulePort}/interaction`,
      }),
    });
    if (!reg.ok) throw new Error(`command registration failed: ${reg.status}`);
    const ingest = await runLoad({
      scenario: `chat ingest (${label})`,
      url: `${stack.url}/router/events`,
      seconds: SECONDS,
      connections: CONNECTIONS,
      request: {
        method: 'POST',
        path: '/router/events',
        headers,
        setupRequest: (req) => ({ ...req, body: chatBody('hello everyone, nice stream') }),
      },
    });
    const command = await runLoad({
      scenario: `command round trip (${label})`,
      url: `${stack.url}/router/events`,
      seconds: SECONDS,
      connections: CONNECTIONS,
      request: {
        method: 'POST',
        path: '/router/events',
        headers,
        setupRequest: (req) => ({ ...req, body: chatBody('!bench ping') }),
      },
    });
    return [ingest, command];
  } finally {
    await stack.close();
    await new Promise<void>((r) => module.close(() => r()));
  }
}

function printTable(results: LoadResult[], base: number) {
  const rows = results.map((r) => ({
    scenario: r.scenario,
    'req/s': r.requests_per_second,
    'p50 ms': r.p50_ms,
    'p99 ms': r.p99_ms,
    'vs baseline': base ? `${((r.requests_per_second / base) * 100).toFixed(1)}%` : '-',
    'non-2xx': r.non_2xx,
    errors: r.errors,
  }));
  console.table(rows);
}

async function main() {
  const results: LoadResult[] = [await baseline()];
  results.push(...(await routerScenarios({})));
  if (process.env.DATABASE_URL || process.env.REDIS_URL) {
    results.push(
      ...(await routerScenarios({
        DATABASE_URL: process.env.DATABASE_URL,
        REDIS_URL: process.env.REDIS_URL,
      })),
    );
  }
  const base = results[0]!.requests_per_second;
  printTable(results, base);
  const dir = path.resolve('bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `router-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        seconds: SECONDS,
        connections: CONNECTIONS,
        node: process.version,
        results: results.map((r) => ({
          ...r,
          ratio_to_baseline: base ? r.requests_per_second / base : null,
        })),
      },
      null,
      2,
    ),
  );
  console.log(`results written to ${file}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
