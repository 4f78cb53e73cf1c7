import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../http/app.js';
import { NotFoundError } from '../http/errors.js';
import { ok } from '../http/envelope.js';
import type { Platform } from '../contracts/ids.js';
import { TtlCache, type KeyValueStore } from '../state/index.js';
import type { ServiceDeps } from '../service/define.js';

/** A server (Twitch broadcaster, Discord guild, Slack team) as its receiver monitors it. */
export interface MonitoredServer {
  active: boolean;
  /** Channel rows currently monitored; empty = every channel of the server. */
  channels: string[];
}

/**
 * Contracts §17.5: no active server row → not monitored; a server with channel rows is
 * monitored only in those; server-wide events (no channel) follow the server.
 */
export function isMonitored(server: MonitoredServer | null | undefined, channelId: string): boolean {
  if (!server?.active) return false;
  if (channelId === '' || server.channels.length === 0) return true;
  return server.channels.includes(channelId);
}

const CACHE_SECONDS = 60;

/** The monitored-channel lookup, cached 60 s in the shared state so every replica sees writes. */
export class MonitoredChannels {
  private readonly cache: TtlCache;
  constructor(
    kv: KeyValueStore,
    platform: Platform,
    private readonly load: (serverId: string) => Promise<MonitoredServer | null>,
  ) {
    this.cache = new TtlCache(kv, `waddlebot:${platform}:monitored:`);
  }

  async server(serverId: string): Promise<MonitoredServer | null> {
    const hit = await this.cache.get<MonitoredServer | { absent: true }>(serverId);
    if (hit) return 'absent' in hit ? null : hit;
    const loaded = await this.load(serverId);
    await this.cache.set(serverId, loaded ?? { absent: true }, CACHE_SECONDS);
    return loaded;
  }

  async isMonitored(serverId: string, channelId = ''): Promise<boolean> {
    return isMonitored(await this.server(serverId), channelId);
  }

  /** After a write to the server's rows. */
  async invalidate(serverId: string): Promise<void> {
    await this.cache.delete(serverId);
  }
}

export interface ChannelStore<B> {
  list(): Promise<unknown[]>;
  /** `created` true when the row was new or re-activated (→ 201). */
  add(body: B): Promise<{ created: boolean; data: unknown }>;
  /** `:id` = broadcaster id, else channel id, else guild/team id; false when nothing matched. */
  remove(id: string): Promise<boolean>;
}

/**
 * `GET/POST /<platform>/api/channels`, `DELETE /<platform>/api/channels/:id` (contracts §17.5),
 * service key only; the same three routes on every receiver.
 */
export function mountChannelRoutes<S extends z.ZodObject>(
  app: App,
  deps: Pick<ServiceDeps, 'auth' | 'logger'>,
  opts: { platform: Platform; bodySchema: S; store: ChannelStore<z.output<S>> },
) {
  const base = `/${opts.platform}/api/channels`;
  const requireService = () => [deps.auth.require('service')];
  const envelope = z.object({ success: z.literal(true), data: z.unknown() });
  app.openapi(
    createRoute({
      method: 'get',
      path: base,
      middleware: requireService(),
      responses: {
        200: { description: 'monitored channels', content: { 'application/json': { schema: envelope } } },
      },
    }),
    async (c) => ok(c, await opts.store.list()) as never,
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: base,
      middleware: requireService(),
      request: { body: { content: { 'application/json': { schema: opts.bodySchema } }, required: true } },
      responses: {
        200: { description: 'already monitored', content: { 'application/json': { schema: envelope } } },
        201: { description: 'now monitored', content: { 'application/json': { schema: envelope } } },
      },
    }),
    async (c) => {
      // The schema is generic here, so the typed accessor cannot name it.
      const body = (c.req as unknown as { valid(t: 'json'): z.output<S> }).valid('json');
      const { created, data } = await opts.store.add(body);
      deps.logger.audit({ action: 'channel_add', result: 'SUCCESS', platform: opts.platform, created });
      return ok(c, data, created ? 201 : 200) as never;
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: `${base}/{id}`,
      middleware: requireService(),
      request: { params: z.object({ id: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/) }) },
      responses: {
        200: { description: 'no longer monitored', content: { 'application/json': { schema: envelope } } },
      },
    }),
    async (c) => {
      const { id } = (c.req as unknown as { valid(t: 'param'): { id: string } }).valid('param');
      if (!(await opts.store.remove(id))) throw new NotFoundError('Channel not found');
      deps.logger.audit({ action: 'channel_remove', result: 'SUCCESS', platform: opts.platform });
      return ok(c, { id, removed: true }) as never;
    },
  );
}
