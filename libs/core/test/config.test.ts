import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, intVar, parseConfig } from '../src/index.js';

const base = { MODULE_NAME: 'labels', SERVICE_API_KEY: 'x'.repeat(32) };

describe('config', () => {
  it('parses common variables with defaults and a service shape', () => {
    const cfg = parseConfig(
      { MAX_ITEMS: intVar(5) },
      { ...base, PORT: '8023', DATABASE_URL: 'postgres://u:p@h/db', MAX_ITEMS: '9' },
    );
    expect(cfg.PORT).toBe(8023);
    expect(cfg.MAX_ITEMS).toBe(9);
    expect(cfg.DATABASE_URL).toBe('postgresql://u:p@h/db');
    expect(cfg.REQUEST_TIMEOUT).toBe(30);
    expect(cfg.ROUTER_URL).toBe('http://router:8000');
    expect(cfg.YOUTUBE_MUSIC_URL).toBe('http://youtube-music:8025');
    expect(cfg.TWITCH_API_BASE_URL).toBe('https://api.twitch.tv/helix');
    expect(cfg.LOG_LEVEL).toBe('info');
  });

  it('names every bad variable, one line each, never printing a secret value', () => {
    const secret = 'short-secret';
    try {
      parseConfig({}, { MODULE_NAME: 'x', SERVICE_API_KEY: secret, PORT: 'abc', LOG_FORMAT: 'xml' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toContain('config error: PORT: expected integer, got "abc"');
      expect(problems.some((p) => p.startsWith('config error: SERVICE_API_KEY: must be at least 32'))).toBe(
        true,
      );
      expect(problems.some((p) => p.startsWith('config error: LOG_FORMAT:'))).toBe(true);
      expect(problems.join('\n')).not.toContain(secret);
    }
    expect(() => parseConfig({}, { MODULE_NAME: 'x' })).toThrow(/config error: SERVICE_API_KEY: required/);
  });

  it('refuses the default SECRET_KEY in production', () => {
    expect(() =>
      parseConfig({}, { ...base, NODE_ENV: 'production', SECRET_KEY: 'change-me-in-production' }),
    ).toThrow(/SECRET_KEY/);
    expect(parseConfig({}, { ...base, SECRET_KEY: 'change-me-in-production' }).SECRET_KEY).toBe(
      'change-me-in-production',
    );
  });

  it('a service started with bad config prints the problem and exits 1 before opening a port', () => {
    const res = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=source',
        '-e',
        "import('./libs/core/src/index.ts').then(m => m.loadConfig({}, { MODULE_NAME: 'x', PORT: 'abc', SERVICE_API_KEY: 'y'.repeat(40) }))",
      ],
      { encoding: 'utf8', cwd: new URL('../../..', import.meta.url).pathname, timeout: 30_000 },
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('config error: PORT: expected integer, got "abc"');
  });
});
