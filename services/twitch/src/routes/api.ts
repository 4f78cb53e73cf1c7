import { createRoute, z } from '@hono/zod-openapi';
import { mountChannelRoutes, ok, pageMeta, type App } from '@waddlebot/core';
import { AddTwitchChannelSchema } from '../channels.js';
import type { TwitchDeps, TwitchReceiver } from '../receiver.js';

const Envelope = z.object({ success: z.literal(true), data: z.unknown() });
const json = (description: string) => ({
  description,
  content: { 'application/json': { schema: Envelope } },
});

/** Monitored channels, EventSub management and the raw event log (§5.4); service key only. */
export function mountApiRoutes(app: App, deps: TwitchDeps, twitch: TwitchReceiver) {
  mountChannelRoutes(app, deps, {
    platform: 'twitch',
    bodySchema: AddTwitchChannelSchema,
    store: twitch.channels,
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/twitch/api/channels/{broadcaster_id}/subscriptions',
      middleware: [deps.auth.require('service')],
      request: { params: z.object({ broadcaster_id: z.string().regex(/^\d{1,32}$/) }) },
      responses: { 200: json('created subscriptions and failures') },
    }),
    async (c) => ok(c, await twitch.subscriptions.createFor(c.req.valid('param').broadcaster_id)) as never,
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/twitch/api/subscriptions',
      middleware: [deps.auth.require('service')],
      request: {
        query: z.object({
          status: z.string().max(64).optional(),
          type: z.string().max(128).optional(),
          after: z.string().max(512).optional(),
        }),
      },
      responses: { 200: json('EventSub subscriptions from Helix') },
    }),
    async (c) => ok(c, await twitch.subscriptions.listRemote(c.req.valid('query'))) as never,
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/twitch/api/subscriptions',
      middleware: [deps.auth.require('service')],
      request: { query: z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) }) },
      responses: { 200: json('deleted') },
    }),
    async (c) => {
      const { id } = c.req.valid('query');
      await twitch.subscriptions.remove(id);
      return ok(c, { id, status: 'deleted' }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/twitch/events',
      middleware: [deps.auth.require('service')],
      request: { query: z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1) }) },
      responses: { 200: json('raw event log, newest first') },
    }),
    async (c) => {
      const { page } = c.req.valid('query');
      const { rows, meta } = await twitch.pipeline.events.page(page, 20);
      return ok(c, rows, 200, meta ?? pageMeta(page, 20, 0)) as never;
    },
  );
}
