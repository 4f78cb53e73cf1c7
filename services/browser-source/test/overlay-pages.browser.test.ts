import { existsSync } from 'node:fs';
import { call } from '@waddlebot/core/testing';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOverlayHarness, type OverlayHarness } from './overlay-harness.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('overlay pages in headless Chromium (§2.5)', () => {
  let h: OverlayHarness;
  let browser: Browser;
  let tokens: Record<string, { token: string; url: string }>;

  beforeAll(async () => {
    h = await startOverlayHarness();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    tokens = (await call(h.app, 'POST', '/browser/source/admin/tokens', { community_id: 5 })).body.data
      .tokens;
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const display = (source_type: string, display_data: Record<string, unknown>) =>
    call(h.app, 'POST', '/browser/source/display', {
      session_id: 'b',
      community_id: 5,
      source_type,
      display_data,
    });

  it('the ticker page connects and shows the highest-priority message first', async () => {
    const page = await browser.newPage();
    await page.goto(tokens.ticker!.url);
    await page.waitForSelector('body[data-connection="connected"]', { timeout: 15_000, state: 'attached' });
    await display('ticker', { ticker_text: 'later', priority: 9, ticker_duration: 30 });
    await page.waitForFunction(() => document.getElementById('ticker-text')?.textContent === 'later', null, {
      timeout: 15_000,
    });
    await display('ticker', { ticker_text: 'second', priority: 7 });
    await display('ticker', { ticker_text: 'first', priority: 1 });
    await page.waitForFunction(
      () => document.getElementById('ticker')?.getAttribute('data-queued') === '2',
      null,
      { timeout: 15_000 },
    );
    expect(await page.textContent('#ticker-badge')).toBe('2');
    await page.close();
  });

  it('the general page renders sanitised HTML and titles as text; the media page its card', async () => {
    const page = await browser.newPage();
    await page.goto(tokens.general!.url);
    await page.waitForSelector('body[data-connection="connected"]', { timeout: 15_000, state: 'attached' });
    await display('general', {
      content: '<b class="bold">bold</b><img src="x" onerror="document.title=\'pwned\'">',
      style: { title: '<i>not html</i>' },
      content_type: 'announcement',
    });
    await page.waitForSelector('.panel-body b.bold', { timeout: 15_000, state: 'attached' });
    expect(await page.textContent('.panel-header')).toBe('<i>not html</i>');
    expect(await page.title()).not.toBe('pwned');
    await page.close();

    const media = await browser.newPage();
    await media.goto(tokens.media!.url);
    await media.waitForSelector('body[data-connection="connected"]', { timeout: 15_000, state: 'attached' });
    await display('media', {
      media_type: 'spotify',
      media_data: {
        track_name: 'Tune',
        artists: [{ name: 'A' }, { name: 'B' }],
        progress: 1000,
        duration: 100000,
      },
    });
    await media.waitForSelector('#media-card[data-state="visible"]', { timeout: 15_000, state: 'attached' });
    expect(await media.textContent('#media-title')).toBe('Tune');
    expect(await media.textContent('#media-artist')).toBe('A, B');
    expect(await media.textContent('#media-requested')).toBe('Requested by System');
    expect(await media.isVisible('#media-progress')).toBe(true);
    await media.close();
  });
});
