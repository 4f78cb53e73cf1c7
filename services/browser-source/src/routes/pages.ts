import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError, ValidationError, type App, type ServiceDeps } from '@waddlebot/core';
import type { BrowserSourceContext } from '../browser-source-context.js';
import { pageSettings } from '../overlay-settings.js';
import { overlaySocketUrl, renderOverlayPage } from '../pages/overlay-page.js';
import { isSourceType } from '../source-types.js';
import { findActiveToken } from '../tokens.js';

const RECONNECT_MS = 5000;
const CLIENT_PING_MS = 30_000;

function clientIp(c: any): string | null {
  const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim();
  const direct = c.env?.incoming?.socket?.remoteAddress as string | undefined;
  return (forwarded || direct || '').slice(0, 64) || null;
}

/** The OBS pages (§2.5), the socket path's plain-HTTP answer and the connection stats. */
export function mountPageRoutes(app: App, deps: ServiceDeps, ctx: BrowserSourceContext) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/browser/source/{token}/{source_type}',
      summary: 'The OBS overlay page of one token (text/html)',
      request: { params: z.object({ token: z.string(), source_type: z.string() }) },
      responses: { 200: { description: 'overlay page', content: { 'text/html': { schema: z.string() } } } },
    }),
    async (c: any) => {
      const { token, source_type } = c.req.valid('param') as { token: string; source_type: string };
      if (!isSourceType(source_type)) throw new NotFoundError('Overlay not found');
      const row = await findActiveToken(ctx.tokens.db, token);
      if (!row || row.source_type !== source_type) throw new NotFoundError('Overlay not found');
      await ctx.tokens.db
        .insertInto('browser_source_access_log')
        .values({
          community_id: row.community_id,
          source_type: row.source_type,
          ip_address: clientIp(c),
          user_agent: c.req.header('User-Agent')?.slice(0, 1000) ?? null,
          referer: c.req.header('Referer')?.slice(0, 2000) ?? null,
          accessed_at: deps.clock.now(),
        })
        .execute();
      const settings = await pageSettings(ctx.tokens.db, row.community_id, row.source_type);
      const html = renderOverlayPage({
        sourceType: row.source_type,
        wsUrl: overlaySocketUrl(ctx.tokens.baseUrl, token, row.source_type),
        enabled: settings.enabled,
        theme: settings.theme,
        customCss: settings.customCss,
        reconnectMs: RECONNECT_MS,
        pingMs: CLIENT_PING_MS,
      });
      // The token is in this page's URL: no referer to image hosts, no caching, no indexing.
      c.header('Referrer-Policy', 'no-referrer');
      c.header('Cache-Control', 'no-store');
      c.header('X-Robots-Tag', 'noindex');
      c.header(
        'Content-Security-Policy',
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src http: https: data:; media-src http: https:; connect-src ws: wss:; base-uri 'none'; form-action 'none'",
      );
      return c.html(html, 200);
    },
  );

  // Upgrades never reach Hono (the server's upgrade listener takes them); a plain GET is a mistake.
  app.get('/ws/*', () => {
    throw new ValidationError('This path accepts WebSocket upgrades only', [
      { path: '', message: 'WebSocket upgrade required' },
    ]);
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/browser/source/stats',
      summary: "This replica's open overlay sockets",
      middleware: [deps.auth.require('service')] as const,
      responses: {
        200: {
          description: 'socket counts',
          content: {
            'application/json': {
              schema: z.object({
                success: z.literal(true),
                data: z.object({
                  total_connections: z.number(),
                  by_type: z.record(z.string(), z.number()),
                  by_community: z.record(z.string(), z.number()),
                }),
              }),
            },
          },
        },
      },
    }),
    (c) => c.json({ success: true as const, data: ctx.sockets.stats() }, 200),
  );
}
