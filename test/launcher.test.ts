import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICES, envPrefix, serviceInfo } from '@waddlebot/core';
import { ROOT } from '../scripts/deploy-manifests.js';
import { allInOneEnv, ensureServiceKey, selectServices } from '../scripts/launcher.js';

describe('all-in-one environment (contracts §17.2–§17.3)', () => {
  it('points every <NAME>_URL at 127.0.0.1 on its port; explicit URLs and <NAME>_PORT win; PORT is dropped', () => {
    const env = allInOneEnv(
      { PORT: '1', LABELS_URL: 'http://labels.example:9000', INVENTORY_PORT: '9124' },
      'k'.repeat(43),
    );
    expect(env.ROUTER_URL).toBe('http://127.0.0.1:8000');
    expect(env.YOUTUBE_MUSIC_URL).toBe('http://127.0.0.1:8025');
    expect(env.INVENTORY_URL).toBe('http://127.0.0.1:9124');
    expect(env.LABELS_URL).toBe('http://labels.example:9000');
    expect(env.PORT).toBeUndefined();
    expect(env.SERVICE_API_KEY).toBe('k'.repeat(43));
  });

  it('generates the service key once, mode 0600, and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wb-key-'));
    const key = ensureServiceKey(dir);
    expect(key.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(dir, 'service-api-key')).mode & 0o777).toBe(0o600);
    expect(ensureServiceKey(dir)).toBe(key);
  });

  it('refuses WADDLEBOT_SERVICES naming a service that does not exist here', () => {
    expect(() => selectServices({ WADDLEBOT_SERVICES: 'router,nope' })).toThrow(/nope/);
  });
});

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Ports moved by +30000 so a developer's own `npm start` on this machine is never touched. */
function portEnv(): Record<string, string> {
  return Object.fromEntries(SERVICES.map((s) => [`${envPrefix(s.name)}_PORT`, String(s.port + 30000)]));
}

function start(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'scripts/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...portEnv(),
      WADDLEBOT_DATA_DIR: dataDir,
      DATABASE_URL: '',
      REDIS_URL: '',
      SERVICE_API_KEY: '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function waitReady(names: string[], deadlineMs: number) {
  const end = Date.now() + deadlineMs;
  const pending = new Set(names);
  while (pending.size && Date.now() < end) {
    for (const name of [...pending]) {
      try {
        const res = await fetch(`http://127.0.0.1:${serviceInfo(name).port + 30000}/readyz`);
        if (res.status === 200) pending.delete(name);
      } catch {
        // not listening yet
      }
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 250));
  }
  return [...pending];
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

describe('npm start', () => {
  const names = selectServices({});

  it.skipIf(names.length === 0)(
    'brings every existing service to /readyz 200 in one process, stops cleanly, and a second start reuses the data directory',
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'wb-start-'));
      const first = start(dataDir);
      expect(await waitReady(names, 120_000)).toEqual([]);
      const out = first.output();
      for (const name of names) expect(out).toContain(`http://127.0.0.1:${serviceInfo(name).port + 30000}`);
      expect(out).toContain(path.join(dataDir, 'service-api-key'));
      const key = readFileSync(path.join(dataDir, 'service-api-key'), 'utf8');
      expect(out).not.toContain(key);
      expect(await stop(first.child)).toBe(0);

      const second = start(dataDir);
      expect(await waitReady(names, 120_000)).toEqual([]);
      expect(readFileSync(path.join(dataDir, 'service-api-key'), 'utf8')).toBe(key);
      expect(second.output()).toContain(path.join(dataDir, 'pglite'));
      expect(await stop(second.child)).toBe(0);
    },
    300_000,
  );
});
