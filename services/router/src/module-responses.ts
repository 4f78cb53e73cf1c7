import {
  ModuleResponseSchema,
  effectiveAction,
  type ActionFields,
  type ModuleResponse,
  type ResponseAction,
} from '@waddlebot/core';
import type { Insertable } from 'kysely';
import type { ModuleResponsesTable } from './db.js';
import { toInt4 } from './db-limits.js';
import { toStorableText } from './text-guard.js';

/**
 * Leniency of §2.5: a string body is chat; `message` is the legacy name of `chat_message`;
 * anything else must be a ModuleResponse. Null when the body cannot be understood.
 */
export function normaliseModuleResponse(answer: unknown): ModuleResponse | null {
  // The answer is stored: text Postgres refuses would turn a handled command into a 500.
  const body = toStorableText(answer);
  if (typeof body === 'string') {
    const text = body.trim();
    return text
      ? { success: true, response_action: 'chat', chat_message: text }
      : { success: true, response_action: null };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const obj = { ...(body as Record<string, unknown>) };
  if (obj.chat_message === undefined && typeof obj.message === 'string') obj.chat_message = obj.message;
  if (obj.success === undefined) obj.success = true;
  const parsed = ModuleResponseSchema.safeParse(obj);
  return parsed.success ? parsed.data : null;
}

export interface ActionItem {
  action: ResponseAction | null;
  fields: ActionFields;
}

/** The main response and each of `additional_responses`, in order (§3.8). */
export function actionsOf(res: ModuleResponse): ActionItem[] {
  return [res, ...(res.additional_responses ?? [])].map((fields) => ({
    action: effectiveAction(fields),
    fields,
  }));
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** One `module_responses` row per action. */
export function moduleResponseRows(
  res: ModuleResponse,
  executionId: string,
  sessionId: string | null,
  moduleName: string | null,
): Insertable<ModuleResponsesTable>[] {
  return actionsOf(res).map(({ action, fields: f }, i) => ({
    execution_id: executionId,
    session_id: sessionId,
    // A module's answer is not ours to refuse: oversized values are cut to the columns' sizes.
    module_name: (res.module_name ?? moduleName)?.slice(0, 128) ?? null,
    success: res.success,
    response_action: action,
    response_data: i === 0 ? json(res.response_data) : null,
    chat_message: f.chat_message ?? null,
    media_type: f.media_type ?? null,
    media_url: f.media_url ?? null,
    media_data: json(f.media_data),
    ticker_text: f.ticker_text ?? null,
    ticker_duration: f.ticker_duration === undefined ? null : toInt4(f.ticker_duration),
    form_title: f.form_title ?? null,
    form_description: f.form_description ?? null,
    form_fields: json(f.form_fields),
    form_submit_url: f.form_submit_url ?? null,
    form_submit_method: (f.form_submit_method ?? 'POST').slice(0, 8),
    form_callback_url: f.form_callback_url ?? null,
    content_type: f.content_type ?? null,
    content: f.content ?? null,
    duration: f.duration === undefined ? null : toInt4(f.duration),
    style: json(f.style),
    error_message: i === 0 ? (res.error_message ?? null) : null,
    processing_time_ms:
      i === 0 && res.processing_time_ms !== undefined ? toInt4(res.processing_time_ms) : null,
  }));
}

/** Whether a `form` response goes to the overlay instead of chat (`response_data.overlay`). */
export function isOverlayForm(res: ModuleResponse): boolean {
  return Boolean((res.response_data as { overlay?: unknown } | undefined)?.overlay);
}
