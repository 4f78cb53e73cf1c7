import { moduleRequest, type ModuleRequestOptions, type RequestUser } from '@waddlebot/core/testing';

export type ChatUser = RequestUser;
export type ChatOptions = ModuleRequestOptions;

/**
 * `!community …` typed by `user`; by default a plain member in the Global community (1) on
 * `twitch:1001`, the situation of a new user.
 */
export const chat = (user: ChatUser, message: string, opts: ChatOptions = {}) =>
  moduleRequest(message, { entity: 'twitch:1001', community: 1, role: 'member', user, ...opts });
