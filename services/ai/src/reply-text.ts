/** Longest answer text before the prefix; longer answers become 397 chars + `...` (interaction-modules §2). */
export const MAX_REPLY_CHARS = 400;
/** Longest user text put into a prompt. */
export const MAX_INPUT_CHARS = 1000;

/** Cuts to `max` characters (code points, so an emoji is never split). */
export function truncate(text: string, max: number, ellipsis = ''): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, max - ellipsis.length).join('') + ellipsis;
}

/**
 * Mass mentions would ping a whole Discord server or Slack channel on the bot's authority;
 * a zero-width space after `@` keeps the word readable but inert.
 */
export function defuseMassMentions(text: string): string {
  return text
    .replace(/@(everyone|here|channel)\b/gi, '@\u200b$1')
    .replace(/<!(everyone|here|channel)(\|[^>]*)?>/gi, '@\u200b$1');
}

/**
 * The model's answer made fit for chat: trimmed, a leaked system prompt ("You are …" lines) dropped,
 * mass mentions defused, cut to 400 chars. Empty when nothing usable is left.
 */
export function cleanModelAnswer(raw: string): string {
  let text = raw.trim();
  if (/^you are/i.test(text)) {
    const lines = text.split(/\r?\n/);
    while (lines.length > 0 && /^\s*you are/i.test(lines[0]!)) lines.shift();
    text = lines.join('\n').trim();
  }
  return truncate(defuseMassMentions(text), MAX_REPLY_CHARS, '...');
}

/** The prefix goes on last, so the 400-char cut applies to the answer itself. */
export function withPrefix(prefix: string, text: string): string {
  return `${prefix}${text}`;
}

/** What the model is asked to do for each event type. */
const EVENT_INSTRUCTIONS: Record<string, string> = {
  subscription: 'thank them for subscribing',
  follow: 'welcome them and thank them for following',
  donation: 'give grateful thanks for their donation',
  cheer: 'give excited thanks for the bits',
  raid: 'welcome the raiders',
  boost: 'thank them for boosting the server',
  member_join: 'welcome them',
};

export function eventInstruction(messageType: string): string {
  return EVENT_INSTRUCTIONS[messageType] ?? 'respond appropriately';
}

/** Canned lines for when the LLM cannot answer, so chat still hears back (interaction-modules §2 Failure). */
const FALLBACK_LINES: Record<string, string> = {
  chatMessage: "Sorry, I can't answer right now, try again in a bit.",
  subscription: 'Thank you for the sub! 🎉',
  follow: 'Welcome aboard, thanks for the follow! 👋',
  donation: 'Thank you for the donation! 💖',
  cheer: 'Thank you for the bits! 🎊',
  raid: 'Welcome in, raiders! 🚀',
  boost: 'Thank you for the boost! ⭐',
  member_join: 'Welcome! 👋',
};

export function fallbackLine(messageType: string): string {
  return FALLBACK_LINES[messageType] ?? 'Thanks for stopping by! 😊';
}
