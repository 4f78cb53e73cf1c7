import { NotFoundError, sql, type Role, type ServiceDeps } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { SlackDB, SlackUsersTable } from './db.js';
import type { SlackApi } from './slack-api.js';

const CACHE_MS = 24 * 3600_000;

export interface SlackUser {
  user_id: string;
  username: string;
  display_name: string | null;
  role: Role | undefined;
}

/** Contracts §4 for Slack (`users.info`): owners → owner, admins → admin. */
export function slackPlatformRole(
  u: Pick<SlackUsersTable, 'is_owner' | 'is_primary_owner' | 'is_admin'>,
): Role | undefined {
  if (u.is_primary_owner || u.is_owner) return 'owner';
  if (u.is_admin) return 'admin';
  return undefined;
}

/** A `users.info`/`users.list` member as a `slack_users` row. */
function rowOf(teamId: string, m: Record<string, any>, now: Date) {
  return {
    user_id: String(m.id),
    team_id: String(m.team_id ?? teamId),
    username: String(m.name ?? m.id),
    real_name: m.real_name ?? m.profile?.real_name ?? null,
    display_name: m.profile?.display_name || m.real_name || null,
    is_bot: m.is_bot === true,
    is_admin: m.is_admin === true,
    is_owner: m.is_owner === true,
    is_primary_owner: m.is_primary_owner === true,
    updated_at: now,
  };
}

/** `slack_users`: `users.info` cached 24 h (§7.2); name lookups for dm replies (contracts §11). */
export class SlackUsers {
  constructor(
    private readonly deps: Pick<ServiceDeps<any, SlackDB>, 'db' | 'clock' | 'logger'>,
    private readonly api: SlackApi,
  ) {}

  private get db(): Kysely<SlackDB> {
    return this.deps.db;
  }

  private async upsert(rows: ReturnType<typeof rowOf>[]) {
    if (rows.length === 0) return;
    await this.db
      .insertInto('slack_users')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['team_id', 'user_id']).doUpdateSet({
          username: sql`excluded.username`,
          real_name: sql`excluded.real_name`,
          display_name: sql`excluded.display_name`,
          is_bot: sql`excluded.is_bot`,
          is_admin: sql`excluded.is_admin`,
          is_owner: sql`excluded.is_owner`,
          is_primary_owner: sql`excluded.is_primary_owner`,
          updated_at: sql`excluded.updated_at`,
        }),
      )
      .execute();
  }

  /** The cached user, refreshed from `users.info` when older than 24 h; `User-<id>` when Slack cannot say. */
  async get(teamId: string, userId: string): Promise<SlackUser> {
    const cached = await this.db
      .selectFrom('slack_users')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    let row = cached;
    if (!cached || this.deps.clock.nowMs() - cached.updated_at.getTime() > CACHE_MS) {
      try {
        const info = await this.api.call('users.info', { user: userId }, { read: true });
        if (info.ok && info.user) {
          const fresh = rowOf(teamId, info.user, this.deps.clock.now());
          await this.upsert([fresh]);
          row = { ...fresh, id: cached?.id ?? 0 };
        }
      } catch (err) {
        this.deps.logger.warn('slack users.info unavailable', { error: (err as Error).name });
      }
    }
    if (!row) return { user_id: userId, username: `User-${userId}`, display_name: null, role: undefined };
    return {
      user_id: userId,
      username: row.username,
      display_name: row.display_name,
      role: slackPlatformRole(row),
    };
  }

  /** A user id for a name: `slack_users` first, then `users.list` (a few pages); 404 when nobody matches. */
  async idByName(name: string, teamId?: string): Promise<string> {
    const wanted = name.replace(/^@/, '').toLowerCase();
    let query = this.db
      .selectFrom('slack_users')
      .select('user_id')
      .where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['username']), '=', wanted),
          eb(eb.fn('lower', ['display_name']), '=', wanted),
        ]),
      )
      .orderBy('updated_at', 'desc');
    if (teamId) query = query.where('team_id', '=', teamId);
    const known = await query.executeTakeFirst();
    if (known) return known.user_id;
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await this.api.call(
        'users.list',
        { limit: 200, ...(cursor ? { cursor } : {}) },
        { read: true },
      );
      if (!res.ok) break;
      const members: Record<string, any>[] = Array.isArray(res.members) ? res.members : [];
      const now = this.deps.clock.now();
      await this.upsert(
        members
          .filter((m) => typeof m.id === 'string')
          .map((m) => rowOf(teamId ?? String(m.team_id ?? ''), m, now)),
      );
      const hit = members.find(
        (m) =>
          String(m.name ?? '').toLowerCase() === wanted ||
          String(m.profile?.display_name ?? '').toLowerCase() === wanted,
      );
      if (hit) return String(hit.id);
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    throw new NotFoundError('Slack user not found');
  }
}
