import { existsSync } from 'node:fs';
import { signJwt } from '@waddlebot/core';
import { TEST_SECRET_KEY } from '@waddlebot/core/testing';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalHarness, type PortalHarness } from './portal-harness.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('portal pages in headless Chromium', () => {
  let h: PortalHarness;
  let browser: Browser;
  let ownerUid: string;
  let temp: string;
  let community: number;

  beforeAll(async () => {
    h = await startPortalHarness({}, { listen: true });
    ownerUid = await h.resolve('twitch', '5150', 'otto');
    const otto = { id: '5150', name: 'otto', uid: ownerUid };
    expect((await h.chat(otto, '!community create Otters')).success).toBe(true);
    community = await h.communityIdByName(ownerUid, 'Otters');
    temp = (await h.onboard('twitch', '5150', 'otto', 'otto@example.com')).password;
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
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('logs in with the temporary password, is made to change it, then opens the community', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${h.portalUrl}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/auth/login');
    await page.fill('#login', 'otto@example.com');
    await page.fill('#password', temp);
    await Promise.all([
      page.waitForURL('**/auth/change-password', { timeout: 15_000 }),
      page.click('button[type=submit]'),
    ]);
    await page.goto(`${h.portalUrl}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/auth/change-password');
    await page.fill('#current_password', temp);
    await page.fill('#new_password', 'Otters-Hold-Hands-7');
    await page.fill('#confirm_password', 'Otters-Hold-Hands-7');
    await Promise.all([
      page.waitForURL('**/dashboard', { timeout: 15_000 }),
      page.click('button[type=submit]'),
    ]);
    expect(await page.textContent('tr.community')).toContain('Otters');

    // The session cookie is invisible to scripts (httpOnly) and not sent cross-site (SameSite).
    expect(await page.evaluate(() => document.cookie)).not.toContain('wb_session');
    const session = (await context.cookies()).find((c) => c.name === 'wb_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Lax');

    await Promise.all([
      page.waitForURL(`**/community/${community}`, { timeout: 15_000 }),
      page.click('tr.community a'),
    ]);
    expect(await page.locator('tr.member').count()).toBe(1);
    expect(await page.locator('code.overlay-url').count()).toBe(3);
    await context.close();
  });

  it('finishes a platform sign-in from the token in the URL fragment', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const token = signJwt({ sub: ownerUid, username: 'otto', roles: [] }, TEST_SECRET_KEY, {
      now: h.clock.now(),
    });
    await Promise.all([
      page.waitForURL('**/dashboard', { timeout: 15_000 }),
      page.goto(`${h.portalUrl}/auth/oauth_callback/twitch#token=${encodeURIComponent(token)}`),
    ]);
    expect(await page.textContent('tr.community')).toContain('Otters');
    await context.close();
  });
});
