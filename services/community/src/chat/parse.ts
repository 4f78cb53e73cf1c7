import { parseCommand, type ModuleRequest } from '@waddlebot/core';

export interface CommunityInvocation {
  /** Lower-cased sub-command words, e.g. `["add", "entity"]` or `["portal", "login", "add"]`. */
  action: string;
  /** Arguments after the sub-command, as typed (quotes grouped, case kept). */
  rest: string[];
}

/** Sub-commands that take more than one word; matched case-insensitively (§4.2). */
const MULTI_WORD = [
  ['portal', 'login', 'add'],
  ['add', 'entity'],
  ['add', 'user'],
  ['remove', 'entity'],
  ['remove', 'user'],
];

/**
 * Splits `!community <sub-command> …` from the whole trimmed message (core-and-admin §4.2), using
 * the router's arguments only when the message does not parse.
 */
export function parseInvocation(req: ModuleRequest): CommunityInvocation {
  const args = parseCommand(req.raw_message.trim(), '!#')?.args ?? req.args;
  const lower = args.map((a) => a.toLowerCase());
  for (const words of MULTI_WORD) {
    if (words.every((w, i) => lower[i] === w))
      return { action: words.join(' '), rest: args.slice(words.length) };
  }
  return { action: lower[0] ?? 'help', rest: args.slice(1) };
}
