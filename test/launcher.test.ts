import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allInOneEnv, ensureSecretKey, ensureServiceKey, selectServices } from '../scripts/launcher.js';
import { LAUNCHER_PORT_OFFSET, killPlatformProcesses, startPlatform } from './support/platform-process.js';

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
    // The JWT secret identity and portal share is a second, different file.
    const secret = ensureSecretKey(dir);
    expect(secret).not.toBe(key);
    expect(statSync(path.join(dir, 'secret-key')).mode & 0o777).toBe(0o600);
    expect(ensureSecretKey(dir)).toBe(secret);
    expect(allInOneEnv({}, key, secret).SECRET_KEY).toBe(secret);
    expect(allInOneEnv({ SECRET_KEY: 'from-env' }, key).SECRET_KEY).toBe('from-env');
  });

  it('refuses WADDLEBOT_SERVICES naming a service that does not exist here', () => {
    expect(() => selectServices({ WADDLEBOT_SERVICES: 'router,nope' })).toThrow(/nope/);
  });
});

afterAll(killPlatformProcesses);

describe('npm start', () => {
  const names = selectServices({});

  it.skipIf(names.length === 0)(
    'brings every existing service to /readyz 200 in one process, stops cleanly, and a second start reuses the data directory',
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'wb-start-'));
      const first = startPlatform({ dataDir, portOffset: LAUNCHER_PORT_OFFSET });
      expect(await first.waitReady(names, 120_000), first.output().slice(-3000)).toEqual([]);
      const out = first.output();
      for (const name of names) expect(out).toContain(first.url(name));
      expect(out).toContain(path.join(dataDir, 'service-api-key'));
      const key = readFileSync(path.join(dataDir, 'service-api-key'), 'utf8');
      expect(out).not.toContain(key);
      expect(await first.stop()).toBe(0);

      const second = startPlatform({ dataDir, portOffset: LAUNCHER_PORT_OFFSET });
      expect(await second.waitReady(names, 120_000), second.output().slice(-3000)).toEqual([]);
      expect(readFileSync(path.join(dataDir, 'service-api-key'), 'utf8')).toBe(key);
      expect(second.output()).toContain(path.join(dataDir, 'pglite'));
      expect(await second.stop()).toBe(0);
    },
    300_000,
  );
});
