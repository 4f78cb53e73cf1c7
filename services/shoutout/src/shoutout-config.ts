import { z } from '@hono/zod-openapi';
import type { Clock, Role } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import {
  AUTO_MODES,
  AUTO_TRIGGERS,
  DISPLAY_TYPES,
  SO_PERMISSIONS,
  type ShoutoutConfigRow,
  type ShoutoutDB,
  type SoPermission,
} from './db.js';
import { CHAT_LIMIT, templateProblem } from './message-template.js';

export interface ShoutoutConfigView {
  community_id: string;
  display_type: ShoutoutConfigRow['display_type'];
  default_duration: number;
  show_profile_picture: boolean;
  so_permission: SoPermission;
  auto_shoutout_mode: ShoutoutConfigRow['auto_shoutout_mode'];
  auto_triggers: string[];
  cooldown_minutes: number;
  template_live: string | null;
  template_offline: string | null;
}

export function configView(row: ShoutoutConfigRow): ShoutoutConfigView {
  return {
    community_id: row.community_id,
    display_type: row.display_type,
    default_duration: row.default_duration,
    show_profile_picture: row.show_profile_picture,
    so_permission: row.so_permission,
    auto_shoutout_mode: row.auto_shoutout_mode,
    auto_triggers: [...row.auto_triggers],
    cooldown_minutes: row.cooldown_minutes,
    template_live: row.template_live,
    template_offline: row.template_offline,
  };
}

const CommunityTemplate = z
  .string()
  .max(CHAT_LIMIT)
  .superRefine((t, ctx) => {
    const problem = templateProblem(t);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .nullable();

export const ConfigPatchSchema = z
  .object({
    display_type: z.enum(DISPLAY_TYPES),
    default_duration: z.number().int().min(1).max(120),
    show_profile_picture: z.boolean(),
    so_permission: z.enum(SO_PERMISSIONS),
    auto_shoutout_mode: z.enum(AUTO_MODES),
    auto_triggers: z
      .array(z.enum(AUTO_TRIGGERS))
      .max(AUTO_TRIGGERS.length)
      .refine((a) => new Set(a).size === a.length, 'must not repeat a trigger'),
    cooldown_minutes: z.number().int().min(0).max(1440),
    template_live: CommunityTemplate,
    template_offline: CommunityTemplate,
    /** Ignored, so that a GET answer can be edited and sent back as it is. */
    community_id: z.string(),
  })
  .partial()
  .strict();
export type ConfigPatch = z.infer<typeof ConfigPatchSchema>;

/** `everyone` is the ladder's `member` (contracts §4). */
export function soPermissionRole(permission: SoPermission): Role {
  return permission === 'everyone' ? 'member' : permission;
}

/** The community's row, created with the defaults on first use. */
export async function loadCommunityConfig(
  db: Kysely<ShoutoutDB>,
  communityId: string,
  clock: Clock,
): Promise<ShoutoutConfigRow> {
  const existing = await db
    .selectFrom('shoutout_config')
    .selectAll()
    .where('community_id', '=', communityId)
    .executeTakeFirst();
  if (existing) return existing;
  const now = clock.now();
  await db
    .insertInto('shoutout_config')
    .values({ ...defaultConfig(communityId), created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('community_id').doNothing())
    .execute();
  return db
    .selectFrom('shoutout_config')
    .selectAll()
    .where('community_id', '=', communityId)
    .executeTakeFirstOrThrow();
}

export async function updateCommunityConfig(
  db: Kysely<ShoutoutDB>,
  communityId: string,
  patch: ConfigPatch,
  clock: Clock,
): Promise<ShoutoutConfigRow> {
  const { community_id: _path, ...fields } = patch;
  const current = await loadCommunityConfig(db, communityId, clock);
  if (Object.keys(fields).length === 0) return current;
  return db
    .updateTable('shoutout_config')
    .set({ ...fields, updated_at: clock.now() })
    .where('community_id', '=', communityId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

function defaultConfig(communityId: string) {
  return {
    community_id: communityId,
    display_type: 'auto' as const,
    default_duration: 15,
    show_profile_picture: true,
    so_permission: 'moderator' as const,
    auto_shoutout_mode: 'list_only' as const,
    auto_triggers: ['raid'],
    cooldown_minutes: 60,
    template_live: null,
    template_offline: null,
  };
}
