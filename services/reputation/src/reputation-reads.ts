import type { ReputationDeps } from './reputation-deps.js';
import { tierOf } from './scoring-model.js';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

export async function userScoreIn(deps: ReputationDeps, userKey: string, communityId: number) {
  const row = await deps.db
    .selectFrom('user_reputation')
    .select(['current_score', 'total_events', 'last_activity'])
    .where('user_id', '=', userKey)
    .where('community_id', '=', communityId)
    .executeTakeFirst();
  const raw = row ? Number(row.current_score) : deps.range.initial;
  return {
    user_id: userKey,
    community_id: communityId,
    current_score: Math.round(raw),
    raw_score: raw,
    tier: tierOf(raw),
    total_events: row?.total_events ?? 0,
    last_activity: iso(row?.last_activity ?? null),
  };
}

export async function userScores(deps: ReputationDeps, userKey: string) {
  const rows = await deps.db
    .selectFrom('user_reputation')
    .select(['community_id', 'current_score', 'total_events', 'last_activity'])
    .where('user_id', '=', userKey)
    .orderBy('community_id')
    .execute();
  const communities: Record<string, Record<string, unknown>> = {};
  for (const r of rows) {
    const raw = Number(r.current_score);
    communities[String(r.community_id)] = {
      community_name: await deps.communities.communityName(r.community_id),
      current_score: Math.round(raw),
      raw_score: raw,
      tier: tierOf(raw),
      total_events: r.total_events,
      last_activity: iso(r.last_activity),
    };
  }
  return { user_id: userKey, communities };
}

export async function leaderboard(deps: ReputationDeps, communityId: number, limit: number) {
  const rows = await deps.db
    .selectFrom('user_reputation')
    .select(['user_id', 'current_score', 'total_events', 'last_activity'])
    .where('community_id', '=', communityId)
    .orderBy('current_score', 'desc')
    .orderBy(
      (eb) => eb.ref('last_activity'),
      (ob) => ob.desc().nullsLast(),
    )
    .orderBy('user_id')
    .limit(limit)
    .execute();
  return {
    community_id: communityId,
    limit,
    leaderboard: rows.map((r, i) => ({
      rank: i + 1,
      user_id: r.user_id,
      current_score: Math.round(Number(r.current_score)),
      tier: tierOf(Number(r.current_score)),
      total_events: r.total_events,
      last_activity: iso(r.last_activity),
    })),
  };
}

export async function userEvents(
  deps: ReputationDeps,
  userKey: string,
  communityId: number | undefined,
  limit: number,
) {
  let q = deps.db.selectFrom('reputation_events').where('user_id', '=', userKey);
  if (communityId !== undefined) q = q.where('community_id', '=', communityId);
  const rows = await q
    .selectAll()
    .orderBy('processed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  const { n } = await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return {
    user_id: userKey,
    community_id: communityId ?? null,
    events: rows.map((r) => ({
      id: r.id,
      event_name: r.event_name,
      event_score: Number(r.event_score),
      previous_score: Number(r.previous_score),
      new_score: Number(r.new_score),
      entity_id: r.entity_id,
      community_id: r.community_id,
      event_data: r.event_data,
      processed_at: new Date(r.processed_at).toISOString(),
    })),
    total: Number(n),
  };
}

export async function communityStats(deps: ReputationDeps, communityId: number) {
  const scores = await deps.db
    .selectFrom('user_reputation')
    .where('community_id', '=', communityId)
    .select((eb) => [
      eb.fn.countAll<string>().as('users'),
      eb.fn.avg<string | null>('current_score').as('average'),
      eb.fn.min<string | null>('current_score').as('minimum'),
      eb.fn.max<string | null>('current_score').as('maximum'),
      eb.fn.sum<string | null>('current_score').as('total'),
    ])
    .executeTakeFirstOrThrow();
  const events = await deps.db
    .selectFrom('reputation_events')
    .where('community_id', '=', communityId)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const top = await deps.db
    .selectFrom('reputation_events')
    .where('community_id', '=', communityId)
    .select(['event_name', (eb) => eb.fn.countAll<string>().as('count')])
    .groupBy('event_name')
    .orderBy('count', 'desc')
    .orderBy('event_name')
    .limit(10)
    .execute();
  const num = (v: string | null) => (v === null ? null : Math.round(Number(v) * 100) / 100);
  return {
    community_id: communityId,
    total_users: Number(scores.users),
    total_events: Number(events.n),
    score_stats: {
      average: num(scores.average),
      minimum: num(scores.minimum),
      maximum: num(scores.maximum),
      total: num(scores.total) ?? 0,
    },
    top_events: top.map((t) => ({ event_name: t.event_name, count: Number(t.count) })),
  };
}
