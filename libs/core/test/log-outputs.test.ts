import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logOutputsFor, parseConfig, rotatingFile, syslog } from '../src/index.js';

const sink = () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
};

describe('LOG_DIR file output (platform.md §1.5)', () => {
  it('writes the same rendered, redacted lines as stdout to <dir>/<module>.log', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wb-logdir-'));
    const secret = 'a-very-secret-token-value-0042';
    const { lines, destination } = sink();
    const logger = createLogger({
      module: 'labels',
      format: 'text',
      secrets: [secret],
      destination,
      outputs: [rotatingFile({ dir, name: 'labels' })],
    });
    logger.audit({ action: 'label_apply', user: '42', result: 'SUCCESS' }, `applied with ${secret}`);
    logger.flush();
    const file = readFileSync(path.join(dir, 'labels.log'), 'utf8').trim().split('\n');
    expect(file).toEqual(lines);
    expect(file[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO labels:1\.0\.0 AUDIT user=42/);
    expect(file[0]).not.toContain(secret);
  });

  it('rotates at the size limit and keeps only the configured number of backups', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wb-rotate-'));
    const out = rotatingFile({ dir, name: 'router', maxBytes: 100, backups: 2 });
    for (let i = 0; i < 10; i++) out.write(`line ${i} ${'x'.repeat(40)}`, {});
    out.close();
    expect(readdirSync(dir).sort()).toEqual(['router.log', 'router.log.1', 'router.log.2']);
    expect(readFileSync(path.join(dir, 'router.log'), 'utf8')).toContain('line 9');
    expect(readFileSync(path.join(dir, 'router.log.2'), 'utf8')).toContain('line 5');
    for (const f of readdirSync(dir)) expect(readFileSync(path.join(dir, f)).length).toBeLessThanOrEqual(100);
  });

  it('an unwritable LOG_DIR degrades to stdout with a reason instead of failing start-up', () => {
    const base = mkdtempSync(path.join(tmpdir(), 'wb-nodir-'));
    writeFileSync(path.join(base, 'file'), 'not a directory');
    const { outputs, problems } = logOutputsFor({
      module: 'router',
      LOG_DIR: path.join(base, 'file', 'logs'),
      ENABLE_SYSLOG: false,
      SYSLOG_HOST: 'localhost',
      SYSLOG_PORT: 514,
      SYSLOG_FACILITY: 'LOCAL0',
    });
    expect(outputs).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/LOG_DIR .* is not writable/);
    expect(existsSync(path.join(base, 'file', 'logs'))).toBe(false);
  });
});

describe('syslog output (RFC 5424 over UDP)', () => {
  it('frames each line with PRI from facility and level, version 1, app name and category', () => {
    const sent: string[] = [];
    const out = syslog({
      host: 'h',
      port: 1,
      facility: 'local3',
      appName: 'router',
      send: (d) => sent.push(String(d)),
    });
    out.write('boom', { level: 'error', time: '2026-01-02T03:04:05.006Z', category: 'ERROR' });
    out.write('hello', { level: 'info', time: '2026-01-02T03:04:05.006Z', category: 'SYSTEM' });
    // LOCAL3 = 19: error → 19*8+3, info → 19*8+6.
    expect(sent[0]).toMatch(/^<155>1 2026-01-02T03:04:05\.006Z \S+ router \d+ ERROR - boom$/);
    expect(sent[1]).toMatch(/^<158>1 /);
  });

  it('delivers datagrams to a real UDP listener when ENABLE_SYSLOG is set', async () => {
    const server = createSocket('udp4');
    const received = new Promise<string>((resolve) => server.on('message', (m) => resolve(String(m))));
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    const port = server.address().port;
    const config = parseConfig(
      {},
      {
        MODULE_NAME: 'labels',
        SERVICE_API_KEY: 'k'.repeat(40),
        ENABLE_SYSLOG: 'true',
        SYSLOG_HOST: '127.0.0.1',
        SYSLOG_PORT: String(port),
      },
    );
    const { outputs } = logOutputsFor({ module: 'labels', ...config });
    const { destination } = sink();
    const logger = createLogger({ module: 'labels', destination, outputs });
    logger.warn('disk almost full');
    const datagram = await received;
    server.close();
    expect(datagram).toMatch(/^<132>1 /); // LOCAL0 (16) * 8 + warning (4)
    expect(JSON.parse(datagram.slice(datagram.indexOf(' - ') + 3))).toMatchObject({
      msg: 'disk almost full',
    });
  });

  it('rejects an unknown facility at start-up', () => {
    expect(() =>
      parseConfig({}, { MODULE_NAME: 'labels', SERVICE_API_KEY: 'k'.repeat(40), SYSLOG_FACILITY: 'LOCAL9' }),
    ).toThrow(/SYSLOG_FACILITY/);
  });
});
