import { describe, expect, it } from 'vitest';
import { createMemoryLogger, renderAaaLine } from '../src/index.js';

describe('logger', () => {
  it('writes pino JSON with module, version and AAA category', () => {
    const { logger, records } = createMemoryLogger({ module: 'labels', version: '2.0.0' });
    logger.audit({ action: 'label_apply', user: '42', community: 7, result: 'SUCCESS' });
    logger.system('started');
    const [audit, system] = records();
    expect(audit).toMatchObject({
      module: 'labels',
      version: '2.0.0',
      category: 'AUDIT',
      action: 'label_apply',
      user: '42',
      community: 7,
      result: 'SUCCESS',
    });
    expect(system).toMatchObject({ category: 'SYSTEM', msg: 'started' });
  });

  it('redacts secrets wherever they appear in a log call, checked on the real output', () => {
    const serviceKey = 'super-secret-service-key-value-123456';
    const { logger, lines } = createMemoryLogger({ module: 'router', secrets: [serviceKey] });
    logger.info(`calling with key ${serviceKey}`, {
      headers: {
        'x-service-key': serviceKey,
        authorization: 'Bearer abc.def.ghi',
        'content-type': 'application/json',
      },
      nested: {
        deeper: { access_token: 'tok-123456789', password: 'hunter2hunter2', client_secret: 'cs-987654321' },
      },
      signature: 'sha256=deadbeefdeadbeefdeadbeef',
      url: 'https://id.twitch.tv/oauth2/token?client_secret=abcdef123456&grant_type=client_credentials',
      db: 'postgresql://waddle:pg-password-xyz@db:5432/waddlebot',
      note: 'user key wbot_user_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA was used',
      err: new Error(`failed with ${serviceKey}`),
    });
    logger.error('oops', { apiKey: 'wbot_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' });
    const out = lines.join('\n');
    for (const secret of [
      serviceKey,
      'abc.def.ghi',
      'tok-123456789',
      'hunter2hunter2',
      'cs-987654321',
      'deadbeefdeadbeef',
      'abcdef123456',
      'pg-password-xyz',
      'wbot_user_AAAA',
      'wbot_BBBB',
    ]) {
      expect(out, secret).not.toContain(secret);
    }
    expect(out).toContain('[REDACTED]');
    expect(out).toContain('application/json'); // non-secret fields survive
    expect(out).toContain('grant_type=client_credentials');
  });

  it('renders the AAA text line', () => {
    const line = renderAaaLine({
      time: '2025-11-20T10:15:02.123Z',
      level: 'info',
      module: 'labels',
      version: '2.0.0',
      category: 'AUDIT',
      community: 7,
      user: '42',
      action: 'label_apply',
      result: 'SUCCESS',
      duration_ms: 12,
      msg: 'label applied',
      label_id: 3,
    });
    expect(line).toBe(
      '[2025-11-20 10:15:02.123] INFO labels:2.0.0 AUDIT community=7 user=42 action=label_apply result=SUCCESS time=12ms label applied label_id=3',
    );
  });

  it('text format writes AAA lines, still redacted', () => {
    const { logger, lines } = createMemoryLogger({
      module: 'm',
      format: 'text',
      secrets: ['a-very-secret-value'],
    });
    logger.auth(
      { action: 'login', user: '5', result: 'FAILURE', password: 'x1234567890' },
      'login a-very-secret-value',
    );
    expect(lines[0]).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO m:1\.0\.0 AUTH user=5 action=login result=FAILURE login \[REDACTED\] password=\[REDACTED\]$/,
    );
  });
});
