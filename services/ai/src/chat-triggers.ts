export type PassiveKind = 'greeting' | 'farewell' | 'question';

const GREETINGS = [
  'o7',
  'hi',
  'hello',
  'hey',
  'howdy',
  'greetings',
  'sup',
  'hiya',
  'morning',
  'evening',
  'afternoon',
];
const FAREWELLS = [
  '!lurk',
  'bye',
  'goodbye',
  'later',
  'cya',
  'see ya',
  'take care',
  'gotta go',
  'gtg',
  'peace out',
  'catch you later',
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whole words only, so `hi` does not fire on "this" nor `sup` on "super" (interaction-modules §2 fix);
 * letters and digits of any script count as word characters.
 */
function wholeWordMatcher(phrases: string[]): RegExp {
  const alternatives = phrases.map((p) => p.split(/\s+/).map(escape).join('\\s+'));
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, 'iu');
}

const GREETING = wholeWordMatcher(GREETINGS);
const FAREWELL = wholeWordMatcher(FAREWELLS);

/** The first matching kind, checked greeting → farewell → question; null when the message triggers nothing. */
export function passiveKind(message: string, questionTriggers: readonly string[]): PassiveKind | null {
  if (GREETING.test(message)) return 'greeting';
  if (FAREWELL.test(message)) return 'farewell';
  const lower = message.toLowerCase();
  if (questionTriggers.some((t) => lower.includes(t.toLowerCase()))) return 'question';
  return null;
}

/** Prefixed messages are commands for other modules (the router also sends them to event modules), `!lurk` aside. */
export function isOtherCommand(message: string): boolean {
  const trimmed = message.trimStart();
  return /^[!#]/.test(trimmed) && !/^!lurk(?![\p{L}\p{N}_])/iu.test(trimmed);
}

export const PASSIVE_INSTRUCTIONS: Record<PassiveKind, string> = {
  greeting: 'They are greeting the chat: greet them back warmly.',
  farewell: 'They are leaving or lurking: wish them a friendly goodbye.',
  question: 'Answer their question briefly.',
};
