import {
  UpstreamError,
  entityIdOf,
  isMonitored,
  parseEntityId,
  type MonitoredServer,
  type Platform,
} from '@waddlebot/core';
import type { RouterContext } from './router-deps.js';

export interface ReceiverServer extends MonitoredServer {
  server_id: string;
}

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/**
 * One server of `GET /<platform>/api/channels` (contracts §17.5): Twitch lists channel rows
 * (`broadcaster_id`), Discord and Slack list servers with their monitored `channels`.
 */
function serverOf(item: Record<string, unknown>): ReceiverServer | null {
  const serverId =
    text(item.broadcaster_id) || text(item.server_id) || text(item.guild_id) || text(item.team_id);
  if (!serverId) return null;
  const listed = Array.isArray(item.channels)
    ? item.channels.map((c) => text((c as { channel_id?: unknown })?.channel_id ?? c))
    : [text(item.channel_id)];
  return {
    server_id: serverId,
    active: item.is_active !== false,
    channels: listed.filter((c) => c !== ''),
  };
}

/** The servers a receiver monitors; an unreachable or refusing receiver is an upstream error. */
export async function receiverServers(ctx: RouterContext, platform: Platform): Promise<ReceiverServer[]> {
  let res;
  try {
    res = await ctx.deps.serviceClient(platform).get<unknown>(`/${platform}/api/channels`, { retries: 0 });
  } catch (err) {
    ctx.deps.logger.warn('receiver channel list unavailable', { platform, err: (err as Error).message });
    throw new UpstreamError(`The ${platform} receiver is unavailable`);
  }
  if (!res.ok) throw new UpstreamError(`The ${platform} receiver answered ${res.status}`);
  const body = res.body as { data?: unknown } | unknown[] | null;
  const items = Array.isArray(body) ? body : (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(items)) return [];
  return items
    .filter((i): i is Record<string, unknown> => Boolean(i) && typeof i === 'object')
    .map(serverOf)
    .filter((s): s is ReceiverServer => s !== null);
}

/**
 * Whether the platform's receiver monitors the entity's channel (contracts §17.5 rules). A
 * receiver that cannot say vouches for nothing.
 */
export async function monitoredByReceiver(ctx: RouterContext, entityId: string): Promise<boolean> {
  const parsed = parseEntityId(entityId);
  if (!parsed) return false;
  let servers: ReceiverServer[];
  try {
    servers = await receiverServers(ctx, parsed.platform);
  } catch (err) {
    if (err instanceof UpstreamError) return false;
    throw err;
  }
  const server = servers.find((s) => s.server_id === parsed.server_id && s.active);
  return isMonitored(server, parsed.channel_id);
}

/** The entity ids a receiver's list stands for: one per monitored channel, else the server itself. */
export function entityIdsOf(platform: Platform, server: ReceiverServer): string[] {
  if (platform === 'twitch' || server.channels.length === 0) return [entityIdOf(platform, server.server_id)];
  return server.channels.map((c) => entityIdOf(platform, server.server_id, c));
}
