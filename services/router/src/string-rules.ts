import type { Reply, RouterResult } from '@waddlebot/core';
import { sql, type Selectable } from 'kysely';
import { dispatchCommand } from './command-dispatch.js';
import type { StringmatchTable } from './db.js';
import type { EventContext } from './event-context.js';
import { executeModule } from './module-call.js';
import { routeOverlays } from './overlays.js';
import { CacheKeys, findCommand } from './registry.js';
import {
  failure,
  moduleSummaries,
  repliesFromResponse,
  routerResult,
  triggerMessageId,
} from './reply-policy.js';
import type { RouterContext } from './router-deps.js';

export type StringRule = Selectable<StringmatchTable>;

const RULE_CACHE_TTL = 300;
const MAX_MATCH_LENGTH = 5000;
export const DEFAULT_WARNING = "Warning: your message may break this community's rules.";
export const DEFAULT_BLOCK = 'Your message was removed for breaking the rules.';

/** Active rules that apply to the entity (global ones included), lowest priority first. */
export function rulesFor(ctx: RouterContext, entityId: string): Promise<StringRule[]> {
  return ctx.cache.getOrLoad(CacheKeys.stringRules(entityId), RULE_CACHE_TTL, () =>
    ctx.db
      .selectFrom('stringmatch')
      .selectAll()
      .where('is_active', '=', true)
      .where((eb) =>
        eb.or([
          eb(sql`jsonb_array_length(enabled_entity_ids)`, '=', 0),
          eb(sql<boolean>`enabled_entity_ids @> ${JSON.stringify([entityId])}::jsonb`, '=', true),
        ]),
      )
      .orderBy('priority')
      .orderBy('id')
      .execute(),
  );
}

const compiled = new Map<string, RegExp | null>();

function compile(source: string, flags: string): RegExp | null {
  const key = `${flags}/${source}`;
  if (compiled.has(key)) return compiled.get(key)!;
  let re: RegExp | null;
  try {
    re = new RegExp(source, flags);
  } catch {
    re = null;
  }
  if (compiled.size > 5000) compiled.clear();
  compiled.set(key, re);
  return re;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function ruleMatches(
  rule: Pick<StringRule, 'string' | 'match_type' | 'case_sensitive'>,
  message: string,
): boolean {
  if (rule.string === '*') return true;
  if (message.length > MAX_MATCH_LENGTH) message = message.slice(0, MAX_MATCH_LENGTH);
  const cs = rule.case_sensitive;
  const text = cs ? message : message.toLowerCase();
  const pattern = cs ? rule.string : rule.string.toLowerCase();
  switch (rule.match_type) {
    case 'exact':
      return text.trim() === pattern.trim();
    case 'contains':
      return text.includes(pattern);
    case 'word': {
      const re = compile(
        `(?<![\\p{L}\\p{N}_])${escapeRegex(rule.string)}(?![\\p{L}\\p{N}_])`,
        cs ? 'u' : 'iu',
      );
      return re ? re.test(message) : false;
    }
    case 'regex': {
      const re = compile(rule.string, cs ? '' : 'i');
      return re ? re.test(message) : false;
    }
    default:
      return false;
  }
}

/** §3.9: the first matching rule acts; null when none matches. */
export async function applyStringRules(ctx: RouterContext, ec: EventContext): Promise<RouterResult | null> {
  const rules = await rulesFor(ctx, ec.entity.entity_id);
  if (rules.length === 0) return null;
  const message = ec.event.message_content;
  const rule = rules.find((r) => {
    if (r.match_type === 'regex' && r.string !== '*' && !compile(r.string, r.case_sensitive ? '' : 'i')) {
      ctx.deps.logger.warn('string rule skipped: invalid regex', { rule_id: r.id });
      return false;
    }
    return ruleMatches(r, message);
  });
  if (!rule) return null;
  const now = ctx.deps.clock.now();
  await ctx.db
    .updateTable('stringmatch')
    .set({ match_count: sql`match_count + 1`, last_matched: now })
    .where('id', '=', rule.id)
    .execute();
  ctx.counters.outcome('string_match');
  const base = { session_id: ec.sessionId };
  const replyTo = triggerMessageId(ec.event);
  switch (rule.action) {
    case 'warn':
      return routerResult('string_match', {
        ...base,
        replies: [
          {
            type: 'chat',
            text: rule.warning_message || DEFAULT_WARNING,
            ...(replyTo ? { reply_to: replyTo } : {}),
          },
        ],
      });
    case 'block': {
      const replies: Reply[] = [];
      if (replyTo) replies.push({ type: 'delete', message_id: replyTo });
      replies.push({ type: 'chat', text: rule.block_message || DEFAULT_BLOCK });
      return routerResult('string_match', { ...base, replies });
    }
    case 'command':
      return runRuleCommand(ctx, ec, rule);
    case 'webhook':
      return runRuleWebhook(ctx, ec, rule);
    default:
      return null;
  }
}

async function runRuleCommand(ctx: RouterContext, ec: EventContext, rule: StringRule): Promise<RouterResult> {
  const name = (rule.command_to_execute ?? '').replace(/^[!#]/, '').toLowerCase();
  const args = Array.isArray(rule.command_parameters) ? rule.command_parameters.map(String) : [];
  const command = name
    ? ((await findCommand(ctx, '!', name, ec.community)) ?? (await findCommand(ctx, '#', name, ec.community)))
    : null;
  if (!command) {
    return routerResult('module_error', {
      session_id: ec.sessionId,
      command: name || null,
      success: false,
      error: failure('MODULE_ERROR', 'String rule command not found'),
    });
  }
  const result = await dispatchCommand(ctx, ec, command, {
    prefix: command.prefix,
    command: command.command,
    args,
    args_text: args.join(' '),
    trigger_type: 'string_match',
  });
  return { ...result, outcome: result.outcome === 'executed' ? 'string_match' : result.outcome };
}

async function runRuleWebhook(ctx: RouterContext, ec: EventContext, rule: StringRule): Promise<RouterResult> {
  const e = ec.event;
  const executionId = ctx.deps.ids.uuid();
  const payload = {
    type: 'string_match',
    rule_id: rule.id,
    pattern: rule.string,
    match_type: rule.match_type,
    message_content: e.message_content,
    user: { id: e.user_id, name: e.user_name },
    context: {
      platform: e.platform,
      server_id: e.server_id,
      channel_id: e.channel_id,
      entity_id: ec.entity.entity_id,
      message_id: triggerMessageId(e),
      timestamp: e.timestamp ?? ctx.deps.clock.now().toISOString(),
    },
  };
  const outcome = await executeModule(
    ctx,
    {
      url: rule.webhook_url ?? '',
      method: 'POST',
      type: 'webhook',
      timeoutSeconds: ctx.config.ROUTER_REQUEST_TIMEOUT,
      location: 'community',
      headers: {},
      moduleName: 'string-match-webhook',
      commandId: null,
    },
    payload,
    {
      executionId,
      sessionId: ec.sessionId,
      entityId: ec.entity.entity_id,
      platform: e.platform,
      triggerType: 'string_match',
      userId: e.user_id,
      userName: e.user_name,
      messageContent: e.message_content,
      args: [],
      replyContext: e.reply_context ?? null,
      callType: 'string-match-webhook',
      internal: new Set(),
    },
  );
  const res = outcome.response;
  if (res)
    routeOverlays(ctx, res, {
      session_id: ec.sessionId,
      community_id: ec.community,
      module_name: res.module_name ?? null,
    });
  return routerResult('string_match', {
    session_id: ec.sessionId,
    execution_id: executionId,
    replies: res ? repliesFromResponse(res, e, 'the string rule') : [],
    module_responses: moduleSummaries(res, 'string-match-webhook'),
  });
}
