import type { ModuleResponse, Outcome, Reply, RouterEvent, RouterResult } from '@waddlebot/core';
import { actionsOf, isOverlayForm } from './module-responses.js';

/** Slash commands and interactions get ephemeral answers where chat messages get none (§2.3). */
export function isInteractive(event: Pick<RouterEvent, 'message_type'>): boolean {
  return event.message_type === 'slashCommand' || event.message_type === 'interaction';
}

export function triggerMessageId(event: Pick<RouterEvent, 'metadata'>): string | null {
  const m = event.metadata ?? {};
  const id = m.message_id ?? m.message_ts;
  return typeof id === 'string' && id ? id : typeof id === 'number' ? String(id) : null;
}

export const policyText = {
  unknown: (name: string) => `Unknown command ${name}`,
  disabled: (name: string) => `${name} is not enabled here`,
  forbidden: (user: string, name: string) => `@${user} you don't have permission to use ${name}`,
  rateLimited: (seconds: number) => `Slow down — try again in ${seconds} s`,
  moduleError: (name: string) => `Sorry, ${name} failed. Please try again later.`,
  pending: 'Working on it…',
};

const hasText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/**
 * The replies a module answer asks for, in action order (§3.8): `chat` actions through `chat`,
 * forms unless they go to the overlay. `success:false` shows only its chat_message, never
 * error_message (§2.3); `failureText` stands in when there is none (null: say nothing).
 */
export function moduleReplies(
  res: ModuleResponse,
  chat: (text: string) => Reply,
  failureText: string | null,
): Reply[] {
  if (!res.success) {
    const text = hasText(res.chat_message) ? res.chat_message : failureText;
    return text ? [chat(text)] : [];
  }
  const replies: Reply[] = [];
  const overlayForm = isOverlayForm(res);
  for (const { action, fields } of actionsOf(res)) {
    if (action === 'chat' && hasText(fields.chat_message)) {
      replies.push(chat(fields.chat_message));
    } else if (action === 'form' && !overlayForm) {
      replies.push({
        type: 'form',
        title: fields.form_title ?? '',
        ...(fields.form_description ? { description: fields.form_description } : {}),
        fields: fields.form_fields ?? [],
        ...(fields.form_submit_url ? { submit_url: fields.form_submit_url } : {}),
        submit_method: fields.form_submit_method ?? 'POST',
        ...(fields.form_callback_url ? { callback_url: fields.form_callback_url } : {}),
      });
    }
  }
  return replies;
}

/** Replies to the triggering message; a failure is ephemeral on slash commands and interactions. */
export function repliesFromResponse(
  res: ModuleResponse,
  event: Pick<RouterEvent, 'message_type' | 'metadata'>,
  displayName: string,
): Reply[] {
  const replyTo = triggerMessageId(event);
  const ephemeral = !res.success && isInteractive(event);
  return moduleReplies(
    res,
    (text) => ({
      type: 'chat',
      text,
      ...(replyTo ? { reply_to: replyTo } : {}),
      ...(ephemeral ? { ephemeral: true } : {}),
    }),
    policyText.moduleError(displayName),
  );
}

export function moduleSummaries(res: ModuleResponse | null, moduleName: string | null) {
  if (!res) return [];
  return actionsOf(res).map(({ action }) => ({
    module_name: res.module_name ?? moduleName ?? 'unknown',
    success: res.success,
    response_action: action,
  }));
}

type ErrorCode = NonNullable<RouterResult['error']>['code'];

export type Refusal = 'unknown_command' | 'disabled' | 'forbidden' | 'rate_limited' | 'module_error';

const REFUSAL_CODES: Record<Refusal, ErrorCode> = {
  unknown_command: 'UNKNOWN_COMMAND',
  disabled: 'COMMAND_DISABLED',
  forbidden: 'PERMISSION_DENIED',
  rate_limited: 'RATE_LIMITED',
  module_error: 'MODULE_ERROR',
};

/** Chat hears only about refusals the user must know of; the rest would be noise (§2.3). */
const TOLD_IN_CHAT = new Set<Refusal>(['forbidden', 'module_error']);

/**
 * A command that did not run, answered per the §2.3 table: slash commands and interactions
 * always get the text, ephemerally; chat messages only for `forbidden` and `module_error`.
 */
export function refusal(
  event: Pick<RouterEvent, 'message_type'>,
  outcome: Refusal,
  fields: Partial<RouterResult> & { session_id: string | null },
  text: string,
  opts: { retryAfter?: number; errorMessage?: string } = {},
): RouterResult {
  const interactive = isInteractive(event);
  const replies: Reply[] =
    interactive || TOLD_IN_CHAT.has(outcome)
      ? [{ type: 'chat', text, ...(interactive ? { ephemeral: true } : {}) }]
      : [];
  return routerResult(outcome, {
    ...fields,
    success: false,
    replies,
    error: failure(REFUSAL_CODES[outcome], opts.errorMessage ?? text, opts.retryAfter),
  });
}

/** A RouterResult with the defaults of contracts §8. */
export function routerResult(
  outcome: Outcome,
  fields: Partial<RouterResult> & { session_id: string | null },
): RouterResult {
  return {
    success: true,
    execution_id: null,
    processed: outcome !== 'duplicate',
    outcome,
    command: null,
    replies: [],
    module_responses: [],
    event_modules_executed: 0,
    error: null,
    ...fields,
  };
}

export function failure(code: ErrorCode, message: string, retryAfter?: number): RouterResult['error'] {
  return { code, message, ...(retryAfter !== undefined ? { retry_after_seconds: retryAfter } : {}) };
}
