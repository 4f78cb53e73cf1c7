import { GLOBAL_COMMUNITY_ID, UpstreamError, sql } from '@waddlebot/core';
import type { Transaction } from 'kysely';
import type { ReputationDB } from './db.js';
import type { ReputationDeps } from './reputation-deps.js';
import { lockReputationRow } from './reputation-row.js';
import {
  DEFAULT_WEIGHTS,
  classifyEvent,
  clampScore,
  multiplierOf,
  tierOf,
  toScale,
  type Tier,
} from './scoring-model.js';

/** Largest delta one event may book: numeric(10,4) holds ±999999.9999. */
const MAX_DELTA = 99_999;

export interface IncomingEvent {
  userKey: string;
  entityId: string;
  eventName: string;
  eventData: Record<string, unknown>;
}

export type ProcessOutcome =
  | {
      applied: true;
      user_id: string;
      community_id: number;
      event_name: string;
      event_score: number;
      previous_score: number;
      new_score: number;
      tier: Tier;
      total_events: number;
      global: { previous_score: number; new_score: number };
      /** Present when the community service could not say the entity's community: Global only was booked. */
      community_resolved?: false;
    }
  | { applied: false; reason: 'no_weight' };

interface Booked {
  community_id: number;
  event_score: number;
  previous_score: number;
  new_score: number;
  total_events: number;
}

/** Each community's weight for the event: its active custom rule, else the default (§5.1). */
async function weightsFor(
  deps: ReputationDeps,
  canonical: string,
  communities: number[],
): Promise<Map<number, number>> {
  const custom = await deps.db
    .selectFrom('reputation_scoring')
    .select(['community_id', 'event_score'])
    .where('event_name', '=', canonical)
    .where('community_id', 'in', communities)
    .where('is_active', '=', true)
    .execute();
  const weights = new Map(communities.map((c) => [c, DEFAULT_WEIGHTS[canonical]!.weight]));
  for (const rule of custom) weights.set(rule.community_id, Number(rule.event_score));
  return weights;
}

/** Books one event in one community: the row is locked, so concurrent events are not lost (§5.2). */
async function book(
  deps: ReputationDeps,
  trx: Transaction<ReputationDB>,
  event: IncomingEvent & { canonical: string },
  communityId: number,
  delta: number,
): Promise<Booked> {
  const now = deps.clock.now();
  const row = await lockReputationRow(trx, {
    userKey: event.userKey,
    communityId,
    initialScore: deps.range.initial,
    now,
  });
  const previous = Number(row.current_score);
  const next = clampScore(previous + delta, deps.range);
  const totalEvents = row.total_events + 1;
  await trx
    .updateTable('user_reputation')
    .set({ current_score: next, total_events: totalEvents, last_activity: now, updated_at: now })
    .where('id', '=', row.id)
    .execute();
  await trx
    .insertInto('reputation_events')
    .values({
      user_id: event.userKey,
      community_id: communityId,
      entity_id: event.entityId,
      event_name: event.canonical,
      event_score: delta,
      previous_score: previous,
      new_score: next,
      event_data: JSON.stringify(event.eventData),
      processed_at: now,
    })
    .execute();
  return {
    community_id: communityId,
    event_score: delta,
    previous_score: previous,
    new_score: next,
    total_events: totalEvents,
  };
}

/**
 * `POST /reputation/process` (core-and-admin §5.1/§5.3): the event moves the user's score in the
 * entity's community and in Global, in one transaction. An event the model does not weigh
 * writes nothing.
 */
export async function processEvent(deps: ReputationDeps, event: IncomingEvent): Promise<ProcessOutcome> {
  const canonical = classifyEvent(event.eventName, event.eventData);
  if (!canonical) return { applied: false, reason: 'no_weight' };
  const multiplier = multiplierOf(canonical, event.eventData);
  if (multiplier === 0) return { applied: false, reason: 'no_weight' };

  // Every event counts in Global, so a community outage costs only the community part: the
  // Global part is booked rather than the whole event refused (the router does not retry).
  let own: number | null = null;
  let communityResolved = true;
  try {
    own = await deps.communities.communityOfEntity(event.entityId);
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err;
    communityResolved = false;
  }
  const communityId = own ?? GLOBAL_COMMUNITY_ID;
  // Ascending order, so two events of one user lock rows in the same order.
  const targets = [...new Set([communityId, GLOBAL_COMMUNITY_ID])].sort((a, b) => a - b);
  const weights = await weightsFor(deps, canonical, targets);
  const deltas = new Map(
    targets.map((c) => [c, toScale(Math.max(-MAX_DELTA, Math.min(MAX_DELTA, weights.get(c)! * multiplier)))]),
  );
  if ([...deltas.values()].every((d) => d === 0)) return { applied: false, reason: 'no_weight' };

  const booked = await deps.db.transaction().execute(async (trx) => {
    // Serialises a user's events even before their first row exists.
    await sql`select pg_advisory_xact_lock(hashtext(${`reputation:user:${event.userKey}`}))`.execute(trx);
    const out = new Map<number, Booked>();
    for (const c of targets) out.set(c, await book(deps, trx, { ...event, canonical }, c, deltas.get(c)!));
    return out;
  });
  const main = booked.get(communityId)!;
  const global = booked.get(GLOBAL_COMMUNITY_ID)!;
  return {
    applied: true,
    user_id: event.userKey,
    community_id: communityId,
    event_name: canonical,
    event_score: main.event_score,
    previous_score: main.previous_score,
    new_score: main.new_score,
    tier: tierOf(main.new_score),
    total_events: main.total_events,
    global: { previous_score: global.previous_score, new_score: global.new_score },
    ...(communityResolved ? {} : { community_resolved: false as const }),
  };
}
