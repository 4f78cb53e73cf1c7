import { NotFoundError } from '@waddlebot/core';
import type { ReputationDeps } from './reputation-deps.js';
import { DEFAULT_WEIGHTS } from './scoring-model.js';

const iso = (d: Date | string) => new Date(d).toISOString();

/** The community's rules: every weighted event, its custom weight where one is set (§5.3). */
export async function scoringRules(deps: ReputationDeps, communityId: number) {
  const custom = await deps.db
    .selectFrom('reputation_scoring')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('is_active', '=', true)
    .execute();
  const byName = new Map(custom.map((r) => [r.event_name, r]));
  const rules = Object.entries(DEFAULT_WEIGHTS).map(([name, d]) => {
    const rule = byName.get(name);
    return rule
      ? {
          id: rule.id,
          event_name: name,
          event_score: Number(rule.event_score),
          description: rule.description ?? d.description,
          source: 'custom' as const,
          created_by: rule.created_by,
          created_at: iso(rule.created_at),
        }
      : { event_name: name, event_score: d.weight, description: d.description, source: 'default' as const };
  });
  return { community_id: communityId, scoring_rules: rules, total: rules.length };
}

/** Sets a community's weight for a canonical event (insert or update of the one active rule). */
export async function upsertRule(
  deps: ReputationDeps,
  input: {
    communityId: number;
    eventName: string;
    eventScore: number;
    description?: string | null;
    actor: string;
  },
) {
  const now = deps.clock.now();
  const description = input.description ?? null;
  const rule = await deps.db
    .insertInto('reputation_scoring')
    .values({
      event_name: input.eventName,
      event_score: input.eventScore,
      community_id: input.communityId,
      description,
      created_by: input.actor,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['community_id', 'event_name'])
        .where('is_active', '=', true)
        .doUpdateSet({ event_score: input.eventScore, description, updated_at: now }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  deps.logger.audit({
    action: 'reputation_rule_set',
    user: input.actor,
    community: input.communityId,
    result: 'SUCCESS',
    event_name: input.eventName,
    event_score: input.eventScore,
  });
  return {
    id: rule.id,
    event_name: rule.event_name,
    event_score: Number(rule.event_score),
    description: rule.description,
    community_id: rule.community_id,
    created_by: rule.created_by,
    created_at: iso(rule.created_at),
    updated_at: iso(rule.updated_at),
  };
}

export async function revertRule(
  deps: ReputationDeps,
  communityId: number,
  eventName: string,
  actor: string,
) {
  const res = await deps.db
    .updateTable('reputation_scoring')
    .set({ is_active: false, updated_at: deps.clock.now() })
    .where('community_id', '=', communityId)
    .where('event_name', '=', eventName)
    .where('is_active', '=', true)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0)
    throw new NotFoundError('No custom rule for that event in this community');
  deps.logger.audit({
    action: 'reputation_rule_revert',
    user: actor,
    community: communityId,
    result: 'SUCCESS',
    event_name: eventName,
  });
}
