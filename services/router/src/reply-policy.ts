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

/** Chat and form replies of a module answer; `success:false` shows only its chat_message (§2.3). */
export function repliesFromResponse(
  res: ModuleResponse,
  event: Pick<RouterEvent, 'message_type' | 'metadata'>,
  displayName: string,
): Reply[] {
  const interactive = isInteractive(event);
  const replyTo = triggerMessageId(event);
  const chat = (text: string, ephemeral = false): Reply => ({
    type: 'chat',
    text,
    ...(replyTo ? { reply_to: replyTo } : {}),
    ...(ephemeral ? { ephemeral: true } : {}),
  });
  if (!res.success) {
    const text = typeof res.chat_message === 'string' && res.chat_message.trim() ? res.chat_message : null;
    return [chat(text ?? policyText.moduleError(displayName), interactive)];
  }
  const replies: Reply[] = [];
  const overlayForm = isOverlayForm(res);
  for (const { action, fields } of actionsOf(res)) {
    if (action === 'chat' && typeof fields.chat_message === 'string' && fields.chat_message.trim()) {
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

export function moduleSummaries(res: ModuleResponse | null, moduleName: string | null) {
  if (!res) return [];
  return actionsOf(res).map(({ action }) => ({
    module_name: res.module_name ?? moduleName ?? 'unknown',
    success: res.success,
    response_action: action,
  }));
}

type ErrorCode = NonNullable<RouterResult['error']>['code'];

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
