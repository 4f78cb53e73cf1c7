import {
  FakeClock,
  call,
  createTestRuntime,
  moduleRequest,
  serviceHeaders,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { service as browserSourceService } from '../../browser-source/src/service.js';
import { service as communityService } from '../../community/src/service.js';
import { service as identityService } from '../../identity/src/service.js';
import { service as marketplaceService } from '../../marketplace/src/service.js';
import { service as reputationService } from '../../reputation/src/service.js';
import { service } from '../src/service.js';
import { startSmtpStub } from './smtp-stub.js';
import { WebClient } from './web-client.js';

type App = Awaited<ReturnType<TestRuntime['add']>>['app'];

/**
 * Identity, community, reputation, browser-source and portal in one runtime (in-process calls);
 * the router is a recording stub and mail goes to a local SMTP stub. Marketplace is absent on
 * purpose: the portal must degrade without it.
 */
export async function startPortalHarness(
  extraEnv: Record<string, string> = {},
  opts: { marketplace?: boolean; listen?: boolean } = {},
) {
  const router = await startFakeServer();
  router.on('POST', /.*/, { status: 200, body: { success: true, data: {} } });
  router.on('PUT', /.*/, { status: 200, body: { success: true, data: {} } });
  const smtp = await startSmtpStub();
  const clock = new FakeClock('2026-03-01T10:00:00Z');
  const rt = await createTestRuntime({
    clock,
    env: {
      ROUTER_URL: router.url,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_TLS: 'false',
      PORTAL_PUBLIC_URL: 'http://portal.test',
      BASE_URL: 'http://overlays.test',
      ...extraEnv,
    },
  });
  const identity = (await rt.add(identityService)).app;
  const community = (await rt.add(communityService)).app;
  const reputation = (await rt.add(reputationService)).app;
  const browserSource = (await rt.add(browserSourceService)).app;
  const marketplace = opts.marketplace ? (await rt.add(marketplaceService)).app : null;
  const portalService = await rt.add(service, {}, { listen: opts.listen ?? false });
  const portal = portalService.app;

  /** The uid identity gives a platform account on first sight (as the router would ask). */
  async function resolve(platform: string, platformUserId: string, userName: string): Promise<string> {
    const r = await call(identity, 'POST', '/identity/resolve', {
      platform,
      platform_user_id: platformUserId,
      user_name: userName,
    });
    if (r.status !== 200) throw new Error(`resolve failed: ${r.status}`);
    return r.body.data.uid as string;
  }

  async function chat(
    user: { id: string; name: string; uid: string },
    message: string,
    entity = 'twitch:1001',
  ) {
    const r = await call(
      community,
      'POST',
      '/community',
      moduleRequest(message, { entity, community: 1, role: 'member', user }),
    );
    return r.body as { success: boolean; chat_message?: string; error_message?: string };
  }

  async function communityIdByName(userKey: string, name: string): Promise<number> {
    const r = await call(community, 'GET', `/users/${userKey}/communities`);
    const found = (r.body.data as { id: number; name: string }[]).find((c) => c.name === name);
    if (!found) throw new Error(`community ${name} not found`);
    return found.id;
  }

  const tempPasswordIn = (mailText: string) => /Temporary password: (\S+)/.exec(mailText)?.[1] ?? null;

  /** A new browser that logs in with `password` and, if asked, replaces a temporary one. */
  async function loggedIn(login: string, password: string, newPassword?: string): Promise<WebClient> {
    const web = new WebClient(portal as App);
    await web.get('/auth/login');
    const res = await web.post('/auth/login', { login, password });
    if (res.status !== 302) throw new Error(`login failed: ${res.status}`);
    if (res.location === '/auth/change-password') {
      if (!newPassword) return web;
      await web.get('/auth/change-password');
      const changed = await web.post('/auth/change-password', {
        current_password: password,
        new_password: newPassword,
        confirm_password: newPassword,
      });
      if (changed.location !== '/dashboard') throw new Error(`password change failed: ${changed.status}`);
    }
    return web;
  }

  /** Onboards a platform account through the portal API and returns its mailed temp password. */
  async function onboard(platform: string, platformUserId: string, userName: string, email: string) {
    const before = smtp.mails.length;
    const r = await call(portal, 'POST', '/api/create_user', {
      platform,
      platform_user_id: platformUserId,
      platform_username: userName,
      email,
    });
    if (r.status !== 201) throw new Error(`create_user failed: ${r.status} ${JSON.stringify(r.body)}`);
    const mail = smtp.mails[before];
    if (!mail) throw new Error('no mail');
    return { userId: r.body.data.user_id as string, password: tempPasswordIn(mail.data)! };
  }

  return {
    rt,
    clock,
    portalUrl: `http://127.0.0.1:${portalService.port}`,
    router,
    smtp,
    apps: { identity, community, reputation, browserSource, portal, marketplace },
    resolve,
    chat,
    communityIdByName,
    tempPasswordIn,
    loggedIn,
    onboard,
    serviceHeaders,
    async close() {
      await rt.close();
      await router.close();
      await smtp.close();
    },
  };
}

export type PortalHarness = Awaited<ReturnType<typeof startPortalHarness>>;
export type { FakeServer };
