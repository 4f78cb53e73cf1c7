import type { Kysely } from 'kysely';
import {
  ModuleFailure,
  chatResponse,
  skippedResponse,
  usage,
  userKeyOf,
  type Clock,
  type KeyValueStore,
  type Logger,
  type ModuleRequest,
  type ModuleResponse,
  type ServiceMetrics,
} from '@waddlebot/core';
import type { AiEnv } from './ai-config.js';
import { PASSIVE_INSTRUCTIONS, isOtherCommand, passiveKind } from './chat-triggers.js';
import { loadEffectiveSettings, type EffectiveSettings } from './community-settings.js';
import type { ConversationHistory } from './conversation-history.js';
import type { AiDB } from './db.js';
import { LlmError, type ChatMessage, type LlmClient } from './llm-client.js';
import {
  MAX_INPUT_CHARS,
  cleanModelAnswer,
  eventInstruction,
  fallbackLine,
  truncate,
  withPrefix,
} from './reply-text.js';

export const MODULE_NAME = 'ai';

export interface AiDeps {
  db: Kysely<AiDB>;
  clock: Clock;
  env: AiEnv;
  logger: Logger;
  kv: KeyValueStore;
  metrics: ServiceMetrics;
  llm: LlmClient;
  history: ConversationHistory;
}

type Kind = 'question' | 'event' | 'passive';

/** Routes a ModuleRequest: commands ask a question, events thank, chat messages are passive mode. */
export async function handleAiRequest(deps: AiDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const settings = await loadEffectiveSettings(deps, req.community_id);
  if (req.trigger_type === 'event') {
    return req.message_type === 'chatMessage'
      ? answerPassiveChat(deps, req, settings)
      : answerEvent(deps, req, settings);
  }
  return answerQuestion(deps, req, settings);
}

function displayNameOf(req: ModuleRequest): string {
  const fromEvent = req.event_data as { display_name?: unknown; user_name?: unknown } | null;
  const name =
    req.user.display_name ||
    req.user.name ||
    (typeof fromEvent?.display_name === 'string' ? fromEvent.display_name : '') ||
    (typeof fromEvent?.user_name === 'string' ? fromEvent.user_name : '');
  // Names go into the prompt: one line, bounded, so a crafted name cannot add prompt lines.
  return truncate(name.replace(/\s+/g, ' ').trim(), 64) || 'someone';
}

function userLine(req: ModuleRequest, text: string): string {
  return `Platform: ${req.platform}\nUser ${displayNameOf(req)}: ${truncate(text, MAX_INPUT_CHARS)}`;
}

/** Counts every answer and writes its AAA line; chat text stays out of the log, ids only. */
function outcome(
  deps: AiDeps,
  req: ModuleRequest,
  kind: Kind,
  result: 'answered' | 'fallback' | 'not_configured',
  durationMs: number,
) {
  deps.metrics.counter('ai_responses_total', 'ai answers by kind and result', ['kind', 'result']).inc({
    kind,
    result,
  });
  deps.logger.audit({
    action: `ai_${kind}`,
    community: req.community_id,
    user: userKeyOf(req.user, req.platform),
    result: result === 'answered' ? 'SUCCESS' : 'DEGRADED',
    duration_ms: durationMs,
    provider: deps.llm.provider,
    message_type: req.message_type,
  });
}

/**
 * One LLM round trip turned into a chat answer; on any provider failure the canned line for the
 * message type, marked degraded, so the router never sees a 5xx (interaction-modules §2 Failure).
 */
async function completeToChat(
  deps: AiDeps,
  req: ModuleRequest,
  settings: EffectiveSettings,
  kind: Kind,
  messages: ChatMessage[],
  remember?: { userKey: string; userContent: string },
): Promise<ModuleResponse> {
  const started = deps.clock.nowMs();
  try {
    const completion = await deps.llm.complete({
      messages,
      model: settings.model,
      temperature: settings.temperature,
      maxTokens: settings.max_tokens,
    });
    const answer = cleanModelAnswer(completion.content);
    if (!answer) throw new LlmError('bad_answer', 'empty answer after clean-up');
    if (remember && deps.env.ENABLE_CHAT_CONTEXT)
      deps.history.record(req.community_id, remember.userKey, {
        user: remember.userContent,
        assistant: answer,
      });
    outcome(deps, req, kind, 'answered', deps.clock.nowMs() - started);
    return chatResponse(req, MODULE_NAME, withPrefix(settings.response_prefix, answer), {
      response_data: { provider: deps.llm.provider, model: completion.model, kind },
    });
  } catch (err) {
    if (!(err instanceof LlmError)) throw err;
    deps.logger.warn('llm call failed, answering with the fallback line', {
      provider: deps.llm.provider,
      failure: err.kind,
      error_message: err.message,
      community: req.community_id,
      duration_ms: deps.clock.nowMs() - started,
    });
    outcome(deps, req, kind, 'fallback', deps.clock.nowMs() - started);
    return chatResponse(
      req,
      MODULE_NAME,
      withPrefix(settings.response_prefix, fallbackLine(req.message_type)),
      {
        degraded: true,
        response_data: { provider: deps.llm.provider, kind, fallback: true },
      },
    );
  }
}

function notConnected(deps: AiDeps): ModuleFailure {
  return new ModuleFailure(
    'NOT_CONNECTED',
    `The AI assistant is not connected yet: an admin needs to set ${deps.llm.missingSetting}.`,
    `${deps.llm.provider} provider is not configured`,
  );
}

async function answerQuestion(
  deps: AiDeps,
  req: ModuleRequest,
  settings: EffectiveSettings,
): Promise<ModuleResponse> {
  // A string rule forwards the chat line itself: the matched message is the question.
  const question = (req.args_text || (req.trigger_type === 'string_match' ? req.raw_message : '')).trim();
  if (!question) {
    const name = req.command === 'ask' ? 'ask' : 'ai';
    throw usage(`Usage: !${name} <question>`);
  }
  if (!deps.llm.configured) throw notConnected(deps);
  const userKey = userKeyOf(req.user, req.platform);
  const userContent = userLine(req, question);
  const history = deps.env.ENABLE_CHAT_CONTEXT ? deps.history.messages(req.community_id, userKey) : [];
  return completeToChat(
    deps,
    req,
    settings,
    'question',
    [{ role: 'system', content: settings.system_prompt }, ...history, { role: 'user', content: userContent }],
    { userKey, userContent },
  );
}

/** Event extras worth mentioning to the model (bits, raiders, months…), from the RouterEvent metadata. */
function eventDetails(req: ModuleRequest): string {
  const meta = {
    ...req.metadata,
    ...((req.event_data as { metadata?: Record<string, unknown> } | null)?.metadata ?? {}),
  };
  const parts: string[] = [];
  for (const field of [
    'bits',
    'amount',
    'currency',
    'viewers',
    'tier',
    'cumulative_months',
    'months',
    'total',
  ]) {
    const v = meta[field];
    if (typeof v === 'number' || (typeof v === 'string' && v.length <= 32 && /^[\w .,-]+$/.test(v)))
      parts.push(`${field}: ${v}`);
  }
  return parts.length ? ` (${parts.join(', ')})` : '';
}

async function answerEvent(
  deps: AiDeps,
  req: ModuleRequest,
  settings: EffectiveSettings,
): Promise<ModuleResponse> {
  if (!deps.env.RESPOND_TO_EVENTS) return skippedResponse(req, MODULE_NAME, 'events_disabled');
  if (!(settings.event_types as string[]).includes(req.message_type))
    return skippedResponse(req, MODULE_NAME, 'event_type_disabled');
  if (!deps.llm.configured) {
    // A thank-you still beats silence; the operator sees not_configured in /readyz.
    outcome(deps, req, 'event', 'not_configured', 0);
    return chatResponse(
      req,
      MODULE_NAME,
      withPrefix(settings.response_prefix, fallbackLine(req.message_type)),
      {
        degraded: true,
        response_data: { provider: deps.llm.provider, kind: 'event', fallback: true },
      },
    );
  }
  const task =
    `Platform: ${req.platform}\nEvent: ${req.message_type} from ${displayNameOf(req)}${eventDetails(req)}\n` +
    `Task: ${eventInstruction(req.message_type)}. Reply with one short, celebratory line under 150 characters.`;
  return completeToChat(deps, req, settings, 'event', [
    { role: 'system', content: settings.system_prompt },
    { role: 'user', content: task },
  ]);
}

function isOwnMessage(deps: AiDeps, req: ModuleRequest, text: string): boolean {
  const bots = deps.env.AI_BOT_USERS.map((b) => b.toLowerCase());
  if (bots.includes(req.user.name.toLowerCase()) || bots.includes(req.user.id.toLowerCase())) return true;
  if (req.metadata.is_bot === true || req.metadata.bot === true) return true;
  // Our own answers carry the prefix; a receiver that echoes them back must not start a loop.
  const prefix = deps.env.RESPONSE_PREFIX.trim();
  return prefix !== '' && text.trimStart().startsWith(prefix);
}

/** Cooldown per channel on the injected clock; the kv TTL only cleans up (works on Redis and memory alike). */
async function claimPassiveSlot(deps: AiDeps, req: ModuleRequest): Promise<boolean> {
  const seconds = deps.env.AI_PASSIVE_COOLDOWN_SECONDS;
  if (seconds === 0) return true;
  const key = `ai:passive:${req.entity_id}`;
  const now = deps.clock.nowMs();
  if (await deps.kv.setIfAbsent(key, String(now), seconds)) return true;
  const last = Number(await deps.kv.get(key));
  if (Number.isFinite(last) && now - last < seconds * 1000) return false;
  await deps.kv.set(key, String(now), seconds);
  return true;
}

async function answerPassiveChat(
  deps: AiDeps,
  req: ModuleRequest,
  settings: EffectiveSettings,
): Promise<ModuleResponse> {
  if (!settings.passive_chat) return skippedResponse(req, MODULE_NAME, 'passive_chat_disabled');
  const eventText = (req.event_data as { message_content?: unknown } | null)?.message_content;
  const text = typeof eventText === 'string' ? eventText : req.raw_message;
  if (isOwnMessage(deps, req, text)) return skippedResponse(req, MODULE_NAME, 'own_message');
  if (isOtherCommand(text)) return skippedResponse(req, MODULE_NAME, 'command');
  const kind = passiveKind(text, deps.env.QUESTION_TRIGGERS);
  if (!kind) return skippedResponse(req, MODULE_NAME, 'no_trigger');
  if (!deps.llm.configured) return skippedResponse(req, MODULE_NAME, 'not_configured');
  if (!(await claimPassiveSlot(deps, req))) return skippedResponse(req, MODULE_NAME, 'cooldown');
  const userKey = userKeyOf(req.user, req.platform);
  const userContent = userLine(req, text);
  const history = deps.env.ENABLE_CHAT_CONTEXT ? deps.history.messages(req.community_id, userKey) : [];
  return completeToChat(
    deps,
    req,
    settings,
    'passive',
    [
      { role: 'system', content: `${settings.system_prompt}\n\n${PASSIVE_INSTRUCTIONS[kind]}` },
      ...history,
      { role: 'user', content: userContent },
    ],
    { userKey, userContent },
  );
}
