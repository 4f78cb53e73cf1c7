import type { MemoryType } from './db.js';

/** A field value a user typed that cannot be stored; the message is shown as is. */
export class MemoryInputError extends Error {}

export const LIMITS = {
  title: 255,
  author: 255,
  content: 2000,
  quote: 500,
  tags: 10,
  tagLength: 30,
} as const;

/**
 * Adds `https://` when no scheme is given; accepts only http/https URLs with a host.
 * `example.com/guide` → `https://example.com/guide`.
 */
export function normaliseUrl(input: string): string {
  const raw = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new MemoryInputError('That is not a valid URL');
  }
  // A host needs a dot, so a stray word ("https://foo") is not taken for a link.
  if (
    !['http:', 'https:'].includes(url.protocol) ||
    !url.hostname ||
    !/[.]/.test(url.hostname) ||
    /\s/.test(raw)
  ) {
    throw new MemoryInputError('That is not a valid URL');
  }
  return url.toString();
}

/** Comma list → trimmed, non-empty, de-duplicated tags: at most 10, each at most 30 chars. */
export function parseTags(input: string | string[] | undefined): string[] {
  if (input === undefined) return [];
  const parts = (Array.isArray(input) ? input : input.split(',')).map((t) => t.trim()).filter(Boolean);
  const tags = [...new Set(parts)];
  if (tags.length > LIMITS.tags) throw new MemoryInputError(`At most ${LIMITS.tags} tags`);
  if (tags.some((t) => t.length > LIMITS.tagLength))
    throw new MemoryInputError(`Tags can be at most ${LIMITS.tagLength} characters`);
  return tags;
}

export function checkTitle(title: string): string {
  const t = title.trim();
  if (!t) throw new MemoryInputError('The title cannot be empty');
  if (t.length > LIMITS.title)
    throw new MemoryInputError(`The title can be at most ${LIMITS.title} characters`);
  return t;
}

export function checkAuthor(author: string): string {
  const a = author.trim();
  if (!a) throw new MemoryInputError('The author cannot be empty');
  if (a.length > LIMITS.author)
    throw new MemoryInputError(`The author can be at most ${LIMITS.author} characters`);
  return a;
}

export function checkContent(type: MemoryType, content: string): string {
  const c = content.trim();
  if (!c)
    throw new MemoryInputError(
      type === 'quote' ? 'The quote text cannot be empty' : 'The content cannot be empty',
    );
  const max = type === 'quote' ? LIMITS.quote : LIMITS.content;
  if (c.length > max)
    throw new MemoryInputError(
      `${type === 'quote' ? 'A quote' : 'The content'} can be at most ${max} characters`,
    );
  return c;
}
