import type { ModuleRequest, RouterResult } from '@waddlebot/core';
import { sql } from 'kysely';
import type { EventContext } from './event-context.js';
import { executeModule, targetOf, type WaddleBotCallType } from './module-call.js';
import { routeOverlays } from './overlays.js';
import {
  commandEnablement,
  findCommand,
  findFallbackCommand,
  helpText,
  recordUsage,
  type CommandRecord,
} from './registry.js';
import {
  isInteractive,
  moduleSummaries,
  policyText,
  refusal,
  repliesFromResponse,
  routerResult,
  triggerMessageId,
} from './reply-policy.js';
import { senderRole, type EffectiveRole } from './roles.js';
import type { RouterContext } from './router-deps.js';
import { userLabels } from './user-lookup.js';

export interface CommandInvocation {
  prefix: string;
  command: string;
  args: string[];
  args_text: string;
  trigger_type: ModuleRequest['trigger_type'];
}

/** Rate-limit keys (§3.7); the user key leads so an admin reset can clear one user's windows. */
export const rateLimitKeys = {
  user: (userKey: string) => `rl:${userKey}:`,
  command: (userKey: string, commandId: number, entityId: string) => `rl:${userKey}:${commandId}:${entityId}`,
  flood: (userKey: string, entityId: string) => `rl:${userKey}:flood:${entityId}`,
};

function displayName(inv: Pick<CommandInvocation, 'prefix' | 'command'>) {
  return `${inv.prefix}${inv.command}`;
}

/**
 * Records a command that never reached a module (unknown 404, disabled and forbidden 403).
 * Awaited, so the row exists once the result is out; a failure is only logged.
 */
async function recordRefusal(
  ctx: RouterContext,
  ec: EventContext,
  inv: CommandInvocation,
  commandId: number | null,
  status: number,
  message: string,
) {
  const now = ctx.deps.clock.now();
  await ctx.db
    .insertInto('command_executions')
    .values({
      execution_id: ctx.deps.ids.uuid(),
      session_id: ec.sessionId,
      command_id: commandId,
      entity_id: ec.entity.entity_id,
      platform: ec.event.platform,
      trigger_type: inv.trigger_type,
      user_id: ec.event.user_id,
      user_name: ec.event.user_name,
      message_content: ec.event.message_content,
      args: JSON.stringify(inv.args),
      response_status: status,
      error_message: message,
      status: 'failed',
      created_at: now,
      completed_at: now,
    })
    .execute()
    .catch((err: unknown) => ctx.deps.logger.error('execution record failed', { err }));
}

/** Flood guard across all commands (ROUTER_DEFAULT_RATE_LIMIT) — checked without counting. */
async function floodBlocked(ctx: RouterContext, ec: EventContext): Promise<number> {
  const window = ctx.config.ROUTER_RATE_LIMIT_WINDOW;
  const count = await ctx.deps.state.rateLimiter.peek(
    rateLimitKeys.flood(ec.userKey, ec.entity.entity_id),
    window,
  );
  if (count < ctx.config.ROUTER_DEFAULT_RATE_LIMIT) return 0;
  // Ask the limiter for the exact wait; a rejected hit is not counted.
  const decision = await ctx.deps.state.rateLimiter.hit(
    rateLimitKeys.flood(ec.userKey, ec.entity.entity_id),
    ctx.config.ROUTER_DEFAULT_RATE_LIMIT,
    window,
  );
  return decision.allowed ? 0 : Math.max(1, Math.ceil(decision.retryAfterSeconds));
}

/**
 * §3.7: per-command window, then the flood guard. Only accepted attempts count.
 * Returns seconds to wait, 0 when accepted.
 */
async function rateLimit(ctx: RouterContext, ec: EventContext, command: CommandRecord): Promise<number> {
  const window = ctx.config.ROUTER_RATE_LIMIT_WINDOW;
  const flood = await floodBlocked(ctx, ec);
  if (flood) return flood;
  if (command.rate_limit > 0) {
    const d = await ctx.deps.state.rateLimiter.hit(
      rateLimitKeys.command(ec.userKey, command.id, ec.entity.entity_id),
      command.rate_limit,
      window,
    );
    if (!d.allowed) return Math.max(1, Math.ceil(d.retryAfterSeconds));
  }
  const f = await ctx.deps.state.rateLimiter.hit(
    rateLimitKeys.flood(ec.userKey, ec.entity.entity_id),
    ctx.config.ROUTER_DEFAULT_RATE_LIMIT,
    window,
  );
  return f.allowed ? 0 : Math.max(1, Math.ceil(f.retryAfterSeconds));
}

/** §3.7: null when the invocation is accepted, else the audited `rate_limited` result. */
async function rateLimitRefusal(
  ctx: RouterContext,
  ec: EventContext,
  command: CommandRecord,
  base: { session_id: string; command: string },
): Promise<RouterResult | null> {
  const wait = await rateLimit(ctx, ec, command);
  if (wait === 0) return null;
  await auditRateLimit(ctx, ec, command.id);
  return refusal(ec.event, 'rate_limited', base, policyText.rateLimited(wait), { retryAfter: wait });
}

async function auditRateLimit(ctx: RouterContext, ec: EventContext, commandId: number) {
  const now = ctx.deps.clock.now();
  const windowStart = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  await ctx.db
    .insertInto('rate_limits')
    .values({
      command_id: commandId,
      entity_id: ec.entity.id,
      user_id: ec.userKey,
      window_start: windowStart,
      request_count: 1,
    })
    .onConflict((oc) =>
      oc.columns(['command_id', 'entity_id', 'user_id', 'window_start']).doUpdateSet({
        request_count: sql`rate_limits.request_count + 1`,
        updated_at: now,
      }),
    )
    .execute();
}

export function buildModuleRequest(
  ctx: RouterContext,
  ec: EventContext,
  inv: CommandInvocation,
  role: EffectiveRole,
  labels: string[],
  config: Record<string, unknown>,
  executionId: string,
): ModuleRequest {
  const e = ec.event;
  return {
    session_id: ec.sessionId,
    execution_id: executionId,
    trigger_type: inv.trigger_type,
    message_type: e.message_type,
    command: inv.command,
    prefix: inv.prefix,
    args: inv.args,
    args_text: inv.args_text,
    raw_message: e.message_content,
    entity_id: ec.entity.entity_id,
    community_id: String(ec.community),
    platform: e.platform,
    server_id: e.server_id,
    channel_id: e.channel_id,
    message_id: triggerMessageId(e),
    timestamp: e.timestamp ?? ctx.deps.clock.now().toISOString(),
    user: { id: e.user_id, name: e.user_name, display_name: e.display_name ?? null, uid: ec.uid },
    user_context: {
      role: role.role,
      platform_role: role.platform_role,
      permissions: role.permissions,
      labels,
    },
    config,
    metadata: e.metadata,
    event_data: inv.trigger_type === 'event' ? (e as unknown as Record<string, unknown>) : null,
    alias_depth: e.alias_depth,
  };
}

/** Calls a module for an accepted invocation and turns its answer into a RouterResult (§3.8, §2.3). */
export async function runModule(
  ctx: RouterContext,
  ec: EventContext,
  command: CommandRecord,
  inv: CommandInvocation,
  role: EffectiveRole,
  config: Record<string, unknown>,
  callType: WaddleBotCallType,
): Promise<RouterResult & { skipped?: boolean }> {
  const labels = await userLabels(ctx, ec.userKey, ec.community);
  const executionId = ctx.deps.ids.uuid();
  const request = buildModuleRequest(ctx, ec, inv, role, labels, config, executionId);
  const outcome = await executeModule(ctx, targetOf(command), request, {
    executionId,
    sessionId: ec.sessionId,
    entityId: ec.entity.entity_id,
    platform: ec.event.platform,
    triggerType: inv.trigger_type,
    userId: ec.event.user_id,
    userName: ec.event.user_name,
    messageContent: ec.event.message_content,
    args: inv.args,
    replyContext: ec.event.reply_context ?? null,
    callType,
    internal: ec.internal,
  });
  const name = displayName(inv);
  const base = { session_id: ec.sessionId, execution_id: executionId, command: inv.command };
  if (outcome.status === 'pending') {
    const replies = isInteractive(ec.event)
      ? [{ type: 'chat' as const, text: policyText.pending, ephemeral: true }]
      : [];
    return routerResult('pending', { ...base, replies });
  }
  if (!outcome.response) {
    return refusal(ec.event, 'module_error', base, policyText.moduleError(name), {
      errorMessage: outcome.status === 'timeout' ? 'Module timed out' : 'Module failed',
    });
  }
  const res = outcome.response;
  routeOverlays(ctx, res, {
    session_id: ec.sessionId,
    community_id: ec.community,
    module_name: command.module_name,
  });
  return {
    ...routerResult('executed', {
      ...base,
      replies: repliesFromResponse(res, ec.event, name),
      module_responses: moduleSummaries(res, command.module_name),
    }),
    skipped: res.success && res.skipped === true && !res.response_action,
  };
}

/**
 * §3.5 steps 3–5 for a found registry row: enablement, role and permission, rate limits,
 * execution, usage counters.
 */
export async function dispatchCommand(
  ctx: RouterContext,
  ec: EventContext,
  command: CommandRecord,
  inv: CommandInvocation,
): Promise<RouterResult> {
  const name = displayName(inv);
  const base = { session_id: ec.sessionId, command: inv.command };
  const enablement = await commandEnablement(ctx, command, ec.entity);
  if (!enablement.enabled) {
    await recordRefusal(ctx, ec, inv, command.id, 403, 'disabled');
    return refusal(ec.event, 'disabled', base, policyText.disabled(name));
  }
  const role = await senderRole(ctx, ec);
  if (!role.permissions.includes(command.required_permission)) {
    await recordRefusal(ctx, ec, inv, command.id, 403, 'forbidden');
    return refusal(ec.event, 'forbidden', base, policyText.forbidden(ec.event.user_name, name));
  }
  const limited = await rateLimitRefusal(ctx, ec, command, base);
  if (limited) return limited;
  const callType: WaddleBotCallType = command.location === 'community' ? 'community' : 'local-interaction';
  const result = await runModule(ctx, ec, command, inv, role, enablement.config, callType);
  await recordUsage(ctx, command.id, ec.entity);
  const { skipped: _skipped, ...plain } = result;
  return plain;
}

export interface ParsedInvocation {
  prefix: string;
  command: string;
  args: string[];
  args_text: string;
}

/**
 * A parsed `!`/`#` command: registry look-up, built-in `!help`, alias fallback (contracts §13).
 * Null means "no command handled it" — the caller goes on with string rules / unknown_command.
 */
export async function handleCommand(
  ctx: RouterContext,
  ec: EventContext,
  parsed: ParsedInvocation,
): Promise<RouterResult | null> {
  const inv: CommandInvocation = { ...parsed, trigger_type: 'command' };
  const command = await findCommand(ctx, parsed.prefix, parsed.command, ec.community);
  if (command) return dispatchCommand(ctx, ec, command, inv);
  if (parsed.prefix === '!' && parsed.command === 'help') {
    const text = await helpText(ctx, ec.entity, ec.community);
    const replyTo = triggerMessageId(ec.event);
    return routerResult('executed', {
      session_id: ec.sessionId,
      command: 'help',
      replies: [{ type: 'chat', text, ...(replyTo ? { reply_to: replyTo } : {}) }],
      module_responses: [{ module_name: 'router', success: true, response_action: 'chat' }],
    });
  }
  if (parsed.prefix === '!') return runFallback(ctx, ec, { ...parsed, trigger_type: 'fallback' });
  return null;
}

async function runFallback(
  ctx: RouterContext,
  ec: EventContext,
  inv: CommandInvocation,
): Promise<RouterResult | null> {
  const fallback = await findFallbackCommand(ctx, ec.community);
  if (!fallback) return null;
  const enablement = await commandEnablement(ctx, fallback, ec.entity);
  if (!enablement.enabled) return null;
  // Only the global flood guard applies to the fallback (contracts §13.2).
  const limited = await rateLimitRefusal(
    ctx,
    ec,
    { ...fallback, rate_limit: 0 },
    { session_id: ec.sessionId, command: inv.command },
  );
  if (limited) return limited;
  const role = await senderRole(ctx, ec);
  const result = await runModule(ctx, ec, fallback, inv, role, enablement.config, 'fallback');
  // Not an alias, or the alias module is unavailable: carry on as for an unknown command.
  if (result.skipped || result.outcome === 'module_error' || result.outcome === 'pending') return null;
  if (
    result.outcome === 'executed' &&
    result.replies.length === 0 &&
    result.module_responses.every((m) => !m.response_action)
  ) {
    return null;
  }
  await recordUsage(ctx, fallback.id, ec.entity);
  const { skipped: _skipped, ...plain } = result;
  return plain;
}

/** unknown_command result (404 recorded) with the §2.3 policy. */
export async function unknownCommand(
  ctx: RouterContext,
  ec: EventContext,
  parsed: ParsedInvocation,
): Promise<RouterResult> {
  const name = `${parsed.prefix}${parsed.command}`;
  await recordRefusal(ctx, ec, { ...parsed, trigger_type: 'command' }, null, 404, 'unknown command');
  return refusal(
    ec.event,
    'unknown_command',
    { session_id: ec.sessionId, command: parsed.command },
    policyText.unknown(name),
  );
}
