/**
 * The bounded FICO-like model of core-and-admin §5.1: scores live in [min, max], start at the
 * default, and move by `weight × multiplier` per event.
 */

export interface ScoreRange {
  min: number;
  max: number;
  initial: number;
}

interface DefaultWeight {
  weight: number;
  description: string;
  /** How many times the weight applies, read from `event_data` (1 when absent). */
  multiplier?: (data: Record<string, unknown>) => number;
}

/** A non-negative number from event data (numbers or numeric strings); absent or invalid → null. */
function amountOf(value: unknown, cap: number): number | null {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) return null;
  // Capped so a forged amount cannot overflow numeric(10,4); any large amount already pins the score.
  return Math.min(n, cap);
}

export const DEFAULT_WEIGHTS: Record<string, DefaultWeight> = {
  chat_message: { weight: 0.01, description: 'Chat message' },
  command_usage: { weight: -0.1, description: 'Command used' },
  giveaway_entry: { weight: -1, description: 'Giveaway entry' },
  follow: { weight: 1, description: 'Follow' },
  subscription: { weight: 5, description: 'Subscription' },
  subscription_tier2: { weight: 10, description: 'Tier 2 subscription' },
  subscription_tier3: { weight: 20, description: 'Tier 3 subscription' },
  gift_subscription: {
    weight: 3,
    description: 'Gifted subscriptions (per gift)',
    multiplier: (d) => amountOf(d.count, 1000) ?? 1,
  },
  donation: {
    weight: 1,
    description: 'Donation (per dollar)',
    multiplier: (d) => amountOf(d.amount, 100_000) ?? 0,
  },
  cheer: {
    weight: 1,
    description: 'Cheer (per 100 bits)',
    multiplier: (d) => (amountOf(d.bits, 10_000_000) ?? 0) / 100,
  },
  raid: { weight: 2, description: 'Raid' },
  boost: { weight: 5, description: 'Server boost' },
  warn: { weight: -25, description: 'Warning' },
  timeout: { weight: -50, description: 'Timeout' },
  kick: { weight: -75, description: 'Kick' },
  ban: { weight: -200, description: 'Ban' },
};

export const CANONICAL_EVENTS = Object.keys(DEFAULT_WEIGHTS);

const ALIASES: Record<string, string> = {
  message: 'chat_message',
  chatmessage: 'chat_message',
  command: 'command_usage',
  slashcommand: 'command_usage',
  giveaway: 'giveaway_entry',
  sub: 'subscription',
  resub: 'subscription',
  subgift: 'gift_subscription',
};

/** Canonical name of an event name or alias (case-insensitive); null when the model has no weight for it. */
export function canonicalEventName(name: string): string | null {
  const key = name.trim().toLowerCase();
  const canonical = ALIASES[key] ?? key;
  return canonical in DEFAULT_WEIGHTS ? canonical : null;
}

/**
 * The canonical event an incoming event counts as: a subscription names its tier in
 * `event_data.tier` (Twitch `2000`/`3000`, or `2`/`3`).
 */
export function classifyEvent(name: string, data: Record<string, unknown>): string | null {
  const canonical = canonicalEventName(name);
  if (canonical !== 'subscription') return canonical;
  const tier = String(data.tier ?? '').trim();
  if (tier === '2000' || tier === '2') return 'subscription_tier2';
  if (tier === '3000' || tier === '3') return 'subscription_tier3';
  return canonical;
}

export function multiplierOf(canonical: string, data: Record<string, unknown>): number {
  return DEFAULT_WEIGHTS[canonical]?.multiplier?.(data) ?? 1;
}

/** numeric(10,4) keeps four decimals. */
export function toScale(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

export function clampScore(score: number, range: ScoreRange): number {
  return toScale(Math.min(range.max, Math.max(range.min, score)));
}

export const TIERS = [
  { tier: 'exceptional', min_score: 800, max_score: 850 },
  { tier: 'very_good', min_score: 740, max_score: 799 },
  { tier: 'good', min_score: 670, max_score: 739 },
  { tier: 'fair', min_score: 580, max_score: 669 },
  { tier: 'poor', min_score: 300, max_score: 579 },
] as const;
export type Tier = (typeof TIERS)[number]['tier'];

/** The tier of a score as shown (rounded to an integer, §5.1). */
export function tierOf(score: number): Tier {
  const shown = Math.round(score);
  return (TIERS.find((t) => shown >= t.min_score) ?? TIERS[TIERS.length - 1]!).tier;
}
