import type { AliasType } from './db.js';

export interface InvokingUser {
  id?: string | null;
  name: string;
}

/** A template starting with `!` or `#` re-runs a bot command; anything else is a reply text. */
export function aliasTypeOf(template: string): AliasType {
  return /^[!#]/.test(template.trimStart()) ? 'command' : 'text';
}

/**
 * The command a command template calls (`!so {arg1}` → `{prefix:"!", name:"so"}`), or null for
 * text templates. Names are compared lower-cased, as the router parses them.
 */
export function commandTargetOf(template: string): { prefix: string; name: string } | null {
  const match = /^\s*([!#])(\S+)/.exec(template);
  return match ? { prefix: match[1]!, name: match[2]!.toLowerCase() } : null;
}

const PLACEHOLDER = /\{([a-z_]+[0-9]?)\}/g;

/**
 * Substitutes whole placeholders in one pass, so text coming from args (which may itself contain
 * `{user}`) is never substituted again. Unknown placeholders stay as they are.
 */
export function expandTemplate(template: string, user: InvokingUser, args: readonly string[]): string {
  const all = args.join(' ');
  return template.replace(PLACEHOLDER, (whole, key: string) => {
    if (key === 'user') return user.name;
    if (key === 'user_id') return user.id ?? '';
    if (key === 'args' || key === 'all_args') return all;
    const positional = /^arg([1-9])$/.exec(key);
    if (positional) return args[Number(positional[1]) - 1] ?? '';
    return whole;
  });
}
