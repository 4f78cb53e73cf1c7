import { moduleRequest, MEMBER_USER, type ModuleRequestOptions } from '@waddlebot/core/testing';

/** Moderator by default, and a platform moderator too, as a channel mod typing in chat. */
export const chat = (message: string, opts: ModuleRequestOptions = {}) =>
  moduleRequest(message, { platformRole: opts.role ?? 'moderator', ...opts });
export const mod = (message: string, opts: ModuleRequestOptions = {}) =>
  chat(message, { role: 'moderator', ...opts });
export const member = (message: string, opts: ModuleRequestOptions = {}) =>
  chat(message, { role: 'member', platformRole: null, user: MEMBER_USER, ...opts });
/** The router's fallback request for an unknown `!name args…`. */
export const fallback = (message: string, opts: ModuleRequestOptions = {}) =>
  member(message, { trigger: 'fallback', ...opts });
