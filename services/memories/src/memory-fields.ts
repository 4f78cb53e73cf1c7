import type { MemoryType } from './db.js';

/** A field value a user typed that cannot be stored; the message is shown as is. */
export class MemoryInputError extends Error {
  constructor(
    message: string,
    /** The field at fault, for REST `details`. */
    readonly field: 'title' | 'content' | 'url' | 'author' | 'tags',
  ) {
    super(message);
    this.name = 'MemoryInputError';
  }
}

export const LIMITS = {
  title: 255,
  author: 255,
  content: 2000,
  quote: 500,
  tags: 10,
  tagLength: 30,
  url: 2000,
} as const;

/** Hosts without a dot that still name a real server; any other dotless word is not taken for a link. */
const DOTLESS_HOSTS = /^(localhost|\[[0-9a-f:.]+\])$/i;

/**
 * Adds `https://` when no scheme is given; accepts only http/https URLs with a host.
 * `example.com/guide` → `https://example.com/guide`.
 */
export function normaliseUrl(input: string): string {
  const raw = input.trim();
  if (raw.length > LIMITS.url)
    throw new MemoryInputError(`A URL can be at most ${LIMITS.url} characters`, 'url');
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new MemoryInputError('That is not a valid URL', 'url');
  }
  // A host needs a dot, so a stray word ("https://foo") is not taken for a link.
  const hostOk = /[.]/.test(url.hostname) || DOTLESS_HOSTS.test(url.hostname);
  if (!['http:', 'https:'].includes(url.protocol) || !url.hostname || !hostOk || /\s/.test(raw)) {
    throw new MemoryInputError('That is not a valid URL', 'url');
  }
  return url.toString();
}

/** Comma list → trimmed, non-empty, de-duplicated tags: at most 10, each at most 30 chars. */
export function parseTags(input: string | string[] | undefined): string[] {
  if (input === undefined) return [];
  const parts = (Array.isArray(input) ? input : input.split(',')).map((t) => t.trim()).filter(Boolean);
  const tags = [...new Set(parts)];
  if (tags.length > LIMITS.tags) throw new MemoryInputError(`At most ${LIMITS.tags} tags`, 'tags');
  if (tags.some((t) => t.length > LIMITS.tagLength))
    throw new MemoryInputError(`Tags can be at most ${LIMITS.tagLength} characters`, 'tags');
  return tags;
}

export function checkTitle(title: string): string {
  const t = title.trim();
  if (!t) throw new MemoryInputError('The title cannot be empty', 'title');
  if (t.length > LIMITS.title)
    throw new MemoryInputError(`The title can be at most ${LIMITS.title} characters`, 'title');
  return t;
}

export function checkAuthor(author: string): string {
  const a = author.trim();
  if (!a) throw new MemoryInputError('The author cannot be empty', 'author');
  if (a.length > LIMITS.author)
    throw new MemoryInputError(`The author can be at most ${LIMITS.author} characters`, 'author');
  return a;
}

export function checkContent(type: MemoryType, content: string): string {
  const c = content.trim();
  if (!c)
    throw new MemoryInputError(
      type === 'quote' ? 'The quote text cannot be empty' : 'The content cannot be empty',
      'content',
    );
  const max = type === 'quote' ? LIMITS.quote : LIMITS.content;
  if (c.length > max)
    throw new MemoryInputError(
      `${type === 'quote' ? 'A quote' : 'The content'} can be at most ${max} characters`,
      'content',
    );
  return c;
}
