import {
  AppError,
  RouterEventSchema,
  ValidationError,
  entityIdOf,
  parseCommand,
  zodDetails,
  type RouterEvent,
  type RouterResult,
} from '@waddlebot/core';
import { dispatchCommand, handleCommand, unknownCommand } from './command-dispatch.js';
import type { EventContext } from './event-context.js';
import { runEventModules, type EventModuleSummary } from './event-modules.js';
import { ensureEntity, entityCommunity, findCommand } from './registry.js';
import { routerResult } from './reply-policy.js';
import { reputationHook } from './reputation.js';
import type { RouterContext } from './router-deps.js';
import { createSession } from './sessions.js';
import { applyStringRules } from './string-rules.js';
import { resolveUid } from './user-lookup.js';

export const MAX_ALIAS_DEPTH = 3;
const DEDUP_TTL_SECONDS = 600;
const COMMAND_TYPES = new Set(['chatMessage', 'slashCommand']);

export class LoopDetectedError extends AppError {
  constructor() {
    super('LOOP_DETECTED', `alias_depth must not exceed ${MAX_ALIAS_DEPTH}`);
  }
}

/** §3.3 step 1: RouterEvent validation plus the alias loop guard. */
export function validateEvent(raw: unknown): RouterEvent {
  const parsed = RouterEventSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError('Validation failed', zodDetails(parsed.error.issues));
  if (parsed.data.alias_depth > MAX_ALIAS_DEPTH) throw new LoopDetectedError();
  return parsed.data;
}

export type PipelineResult = RouterResult & { module_results?: EventModuleSummary[] };

/** §3.3 steps 2–9 for one validated event. */
export async function processEvent(
  ctx: RouterContext,
  event: RouterEvent,
  internal: Set<string>,
): Promise<PipelineResult> {
  ctx.counters.event(event.message_type);
  const dedupKey = event.event_id ? `waddlebot:event:${event.platform}:${event.event_id}` : null;
  if (dedupKey && !(await ctx.deps.state.kv.setIfAbsent(dedupKey, '1', DEDUP_TTL_SECONDS))) {
    ctx.counters.outcome('duplicate');
    return { ...routerResult('duplicate', { session_id: null }), processed: false };
  }
  try {
    return await runPipeline(ctx, event, internal);
  } catch (err) {
    // A failed attempt must not make the receiver's retry look like a duplicate.
    if (dedupKey) await ctx.deps.state.kv.del(dedupKey).catch(() => undefined);
    throw err;
  }
}

async function runPipeline(
  ctx: RouterContext,
  event: RouterEvent,
  internal: Set<string>,
): Promise<PipelineResult> {
  const entityId = entityIdOf(event.platform, event.server_id, event.channel_id);
  const [entity, community, uid] = await Promise.all([
    ensureEntity(ctx, entityId),
    entityCommunity(ctx, entityId),
    resolveUid(ctx, event.platform, event.user_id, event.user_name),
  ]);
  const sessionId = await createSession(ctx, {
    entity_id: entityId,
    user_id: event.user_id,
    platform: event.platform,
  });
  const ec: EventContext = {
    event,
    entity,
    sessionId,
    uid,
    userKey: uid ?? `${event.platform}:${event.user_id}`,
    community,
    internal,
  };

  let result: PipelineResult;
  if (COMMAND_TYPES.has(event.message_type)) {
    const parsed = parseCommand(event.message_content, ctx.config.COMMAND_PREFIXES);
    if (parsed) {
      result =
        (await handleCommand(ctx, ec, parsed)) ??
        (event.message_type === 'chatMessage' ? await applyStringRules(ctx, ec) : null) ??
        (await unknownCommand(ctx, ec, parsed));
    } else {
      result =
        (event.message_type === 'chatMessage' ? await applyStringRules(ctx, ec) : null) ??
        routerResult('not_command', { session_id: sessionId });
    }
  } else if (event.message_type === 'interaction') {
    result = await routeInteraction(ctx, ec);
  } else {
    result = routerResult('event', { session_id: sessionId });
  }

  // Alias re-dispatches run the command path only (contracts §13.5).
  if (event.alias_depth === 0) {
    reputationHook(ctx, event, entityId, uid);
    const modules = await runEventModules(ctx, ec);
    if (modules.summaries.length > 0) {
      result = {
        ...result,
        replies: [...result.replies, ...modules.replies],
        event_modules_executed: modules.summaries.length,
        module_results: modules.summaries,
      };
    }
  }
  if (result.outcome !== 'string_match') ctx.counters.outcome(result.outcome);
  return result;
}

/**
 * §3.3 step 7: a button/modal/shortcut carries `metadata.custom_id` = `module:action:context`;
 * it runs the `!module` command with `args: [action, context]`.
 */
async function routeInteraction(ctx: RouterContext, ec: EventContext): Promise<RouterResult> {
  const customId = ec.event.metadata.custom_id;
  const [module = '', action = '', ...rest] = typeof customId === 'string' ? customId.split(':') : [];
  const name = module.toLowerCase();
  const args = [action, rest.join(':')];
  const parsed = { prefix: '!', command: name || 'interaction', args, args_text: args.join(' ').trim() };
  const command = /^[a-z0-9_][a-z0-9_-]{0,63}$/.test(name)
    ? await findCommand(ctx, '!', name, ec.community)
    : null;
  if (!command) return unknownCommand(ctx, ec, parsed);
  return dispatchCommand(ctx, ec, command, { ...parsed, trigger_type: 'command' });
}
