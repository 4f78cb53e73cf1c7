import type { ModuleErrorCode, ModuleRequest, ModuleResponse } from './messages.js';

/** Builders for ModuleResponse (contracts §10), so every module answers in one shape. */
export function chatResponse(
  req: Pick<ModuleRequest, 'session_id' | 'execution_id'>,
  moduleName: string,
  text: string,
  extra: Partial<ModuleResponse> = {},
): ModuleResponse {
  return {
    success: true,
    session_id: req.session_id,
    execution_id: req.execution_id,
    module_name: moduleName,
    response_action: 'chat',
    chat_message: text,
    ...extra,
  };
}

export function failureResponse(
  req: Pick<ModuleRequest, 'session_id' | 'execution_id'>,
  moduleName: string,
  code: ModuleErrorCode,
  text: string,
  errorMessage?: string,
): ModuleResponse {
  return {
    success: false,
    session_id: req.session_id,
    execution_id: req.execution_id,
    module_name: moduleName,
    response_action: 'chat',
    chat_message: text,
    error_code: code,
    ...(errorMessage ? { error_message: errorMessage } : {}),
  };
}

export function skippedResponse(
  req: Pick<ModuleRequest, 'session_id' | 'execution_id'>,
  moduleName: string,
  reason: string,
  extra: Partial<ModuleResponse> = {},
): ModuleResponse {
  return {
    success: true,
    session_id: req.session_id,
    execution_id: req.execution_id,
    module_name: moduleName,
    response_action: null,
    skipped: true,
    reason,
    ...extra,
  };
}

/** A typed user-level failure a module handler throws; its route answers 200 with failureResponse. */
export class ModuleFailure extends Error {
  constructor(
    readonly code: ModuleErrorCode,
    readonly chatMessage: string,
    readonly internalMessage?: string,
  ) {
    super(chatMessage);
    this.name = 'ModuleFailure';
  }
}

export const forbidden = (action: string) =>
  new ModuleFailure('FORBIDDEN', `You don't have permission to ${action}.`);
export const usage = (text: string) => new ModuleFailure('USAGE', text);

/** HTML-escapes user text placed into overlay content (contracts §10 `general`). */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
}
