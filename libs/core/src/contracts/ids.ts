import { z } from 'zod';

export const PLATFORMS = ['twitch', 'discord', 'slack'] as const;
export type Platform = (typeof PLATFORMS)[number];
export const PlatformSchema = z.enum(PLATFORMS);

/** An entity id segment (contracts §3). */
export const SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;
export const SegmentSchema = z.string().regex(SEGMENT, 'must match ^[A-Za-z0-9_.-]{1,128}$');

/** `twitch:<broadcaster>`, `discord:<guild>:<channel>`, `slack:<team>:<channel>`; server-wide `<platform>:<server>`. */
export function entityIdOf(platform: string, serverId: string, channelId = ''): string {
  return channelId ? `${platform}:${serverId}:${channelId}` : `${platform}:${serverId}`;
}

export interface ParsedEntityId {
  platform: Platform;
  server_id: string;
  channel_id: string;
}

export function parseEntityId(entityId: string): ParsedEntityId | null {
  const parts = entityId.split(':');
  if (parts.length < 2 || parts.length > 3) return null;
  const [platform, server, channel = ''] = parts as [string, string, string?];
  if (!(PLATFORMS as readonly string[]).includes(platform)) return null;
  if (!SEGMENT.test(server) || (channel !== '' && !SEGMENT.test(channel))) return null;
  return { platform: platform as Platform, server_id: server, channel_id: channel };
}

export const EntityIdSchema = z
  .string()
  .refine((v) => parseEntityId(v) !== null, 'must be <platform>:<server_id>[:<channel_id>]');

/** Community ids travel as decimal strings; receivers accept numbers too (contracts §3). */
export const CommunityIdSchema = z
  .union([z.number().int().positive(), z.string().regex(/^\d+$/, 'must be a decimal id')])
  // Leading zeros go, digits stay: Number() would round ids beyond 2^53.
  .transform((v) => (typeof v === 'number' ? String(v) : v.replace(/^0+(?=\d)/, '')));

export const GLOBAL_COMMUNITY_ID = 1;

/** The key of all per-user state: uid, else `<platform>:<user_id>` (contracts §14). */
export function userKeyOf(user: { uid?: string | null; id: string }, platform: string): string {
  return user.uid ? user.uid : `${platform}:${user.id}`;
}
