/**
 * Quote-aware argument tokenising (contracts §9.1): whitespace splits; "…" and “…” group
 * (quotes removed); \" inside quotes is a literal quote; "" is an empty token; an unterminated
 * quote runs to the end.
 */
export function tokenise(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i]!)) i++;
    if (i >= n) break;
    let token = '';
    let quoted = false;
    while (i < n && !/\s/.test(text[i]!)) {
      const ch = text[i]!;
      if (ch === '"' || ch === '“') {
        quoted = true;
        const close = ch === '"' ? '"' : '”';
        i++;
        while (i < n && text[i] !== close && !(close === '”' && text[i] === '"')) {
          if (text[i] === '\\' && text[i + 1] === '"') {
            token += '"';
            i += 2;
            continue;
          }
          token += text[i];
          i++;
        }
        i++; // closing quote (or past the end)
        continue;
      }
      token += ch;
      i++;
    }
    if (token !== '' || quoted) tokens.push(token);
  }
  return tokens;
}

export interface ParsedCommand {
  prefix: string;
  command: string;
  args: string[];
  args_text: string;
}

/**
 * `!so @bob` → `{prefix:"!", command:"so", args:["@bob"], args_text:"@bob"}`; null when not a
 * command. The token must follow the prefix directly and match router-and-receivers §3.4.
 */
export function parseCommand(message: string, prefixes = '!#'): ParsedCommand | null {
  const trimmed = message.replace(/^\s+/, '');
  const match = /^([!#])([A-Za-z0-9_][A-Za-z0-9_-]{0,63})(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (!match || !prefixes.includes(match[1]!)) return null;
  const argsText = (match[3] ?? '').trim();
  return {
    prefix: match[1]!,
    command: match[2]!.toLowerCase(),
    args: tokenise(argsText),
    args_text: argsText,
  };
}
