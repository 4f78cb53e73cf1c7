import { sql } from 'kysely';
import type { RouterContext } from './router-deps.js';

/** `GET /router/metrics` (§3.15): process counters plus database totals and the last hour. */
export async function metricsReport(ctx: RouterContext) {
  const hourAgo = new Date(ctx.deps.clock.nowMs() - 3_600_000);
  const count = (table: 'commands' | 'entities' | 'command_executions') =>
    ctx.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst()
      .then((r) => Number(r?.n ?? 0));
  const [rules, totalCommands, totalEntities, totalExecutions, recent] = await Promise.all([
    ctx.db
      .selectFrom('stringmatch')
      .select([
        sql<number>`count(*)`.as('total'),
        sql<number>`count(*) filter (where action = 'warn')`.as('warn'),
        sql<number>`count(*) filter (where action = 'block')`.as('block'),
        sql<number>`count(*) filter (where action = 'command')`.as('command'),
        sql<number>`coalesce(sum(match_count), 0)`.as('matches'),
      ])
      .where('is_active', '=', true)
      .executeTakeFirst(),
    count('commands'),
    count('entities'),
    count('command_executions'),
    ctx.db
      .selectFrom('command_executions')
      .select([
        sql<number>`count(*) filter (where status = 'success')`.as('ok'),
        sql<number>`count(*) filter (where status in ('failed', 'timeout'))`.as('failed'),
        sql<number>`coalesce(avg(execution_time_ms), 0)`.as('avg'),
      ])
      .where('created_at', '>=', hourAgo)
      .executeTakeFirst(),
  ]);
  const ok = Number(recent?.ok ?? 0);
  const failed = Number(recent?.failed ?? 0);
  const c = ctx.counters;
  return {
    processor: {
      commands_processed: c.commandsProcessed,
      commands_successful: c.commandsSuccessful,
      commands_failed: c.commandsFailed,
      cache_hits: ctx.cache.hits,
      cache_misses: ctx.cache.misses,
      rate_limits_hit: c.rateLimitsHit,
      string_matches: c.stringMatches,
      avg_execution_time: c.avgExecutionMs,
    },
    string_matcher: {
      total_rules: Number(rules?.total ?? 0),
      warn_rules: Number(rules?.warn ?? 0),
      block_rules: Number(rules?.block ?? 0),
      command_rules: Number(rules?.command ?? 0),
      total_matches: Number(rules?.matches ?? 0),
    },
    database: {
      total_commands: totalCommands,
      total_entities: totalEntities,
      total_executions: totalExecutions,
    },
    recent_performance: {
      successful_executions: ok,
      failed_executions: failed,
      avg_execution_time_ms: Math.round(Number(recent?.avg ?? 0)),
      success_rate: ok + failed ? Math.round((ok / (ok + failed)) * 1000) / 10 : 0,
    },
  };
}
