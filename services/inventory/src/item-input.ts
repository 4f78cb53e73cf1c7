import { invalid } from './inventory-error.js';

export const MAX_NAME_LENGTH = 255;
export const MAX_DESCRIPTION_LENGTH = 2000;
export const MAX_LABEL_LENGTH = 50;
export const MAX_QUANTITY = 10_000;

/** What chat treats as a quantity rather than a description (interaction-modules §5). */
export const NUMERIC_TOKEN = /^[+-]?\d+(\.\d+)?$/;

const QUANTITY_MESSAGE = `Quantity must be a whole number between 1 and ${MAX_QUANTITY}`;

export function itemName(raw: string | undefined): string {
  const name = (raw ?? '').trim();
  if (!name) throw invalid('Item name is required', 'item_name');
  if (name.length > MAX_NAME_LENGTH)
    throw invalid(`Item name must be at most ${MAX_NAME_LENGTH} characters`, 'item_name');
  return name;
}

export function description(raw: string | null | undefined): string | null {
  const text = (raw ?? '').trim();
  if (text.length > MAX_DESCRIPTION_LENGTH)
    throw invalid(`Description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, 'description');
  return text || null;
}

/** Accepts a number (REST) or a chat token; anything not a whole 1–10000 is refused. */
export function quantity(raw: number | string, field = 'quantity'): number {
  const n = typeof raw === 'number' ? raw : NUMERIC_TOKEN.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_QUANTITY) throw invalid(QUANTITY_MESSAGE, field);
  return n;
}

export function label(raw: string): string {
  const l = raw.trim().toLowerCase();
  if (!l) throw invalid('Label is required', 'label');
  if (l.length > MAX_LABEL_LENGTH)
    throw invalid(`Labels must be at most ${MAX_LABEL_LENGTH} characters`, 'label');
  if (l.includes(',')) throw invalid('Labels cannot contain commas', 'label');
  return l;
}

/** Trims and lower-cases; duplicates within one request and more than `max` labels are refused. */
export function labelList(raw: readonly string[], max: number): string[] {
  const labels = raw.map((l) => label(l));
  if (new Set(labels).size !== labels.length) throw invalid('Labels must be unique', 'labels');
  if (labels.length > max) throw invalid(`At most ${max} labels per item`, 'labels');
  return labels;
}

/**
 * Labels from the chat tokens after the description: each token is a comma list
 * (`electronics,av`, `electronics, av`), and a quoted token keeps its spaces (`"video games"`).
 * Empty pieces from stray commas are ignored.
 */
export function labelsFromTokens(tokens: readonly string[]): string[] {
  return tokens
    .flatMap((t) => t.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `@Bob` → `Bob`: chat users often mention the borrower. */
export function borrowerName(raw: string | undefined): string {
  const name = (raw ?? '').trim().replace(/^@+/, '').trim();
  if (!name) throw invalid('A user name is required', 'checked_out_to');
  if (name.length > MAX_NAME_LENGTH)
    throw invalid(`User name must be at most ${MAX_NAME_LENGTH} characters`, 'checked_out_to');
  return name;
}
