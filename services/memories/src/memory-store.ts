import { sql, type Kysely, type Selectable } from 'kysely';
import type { Clock } from '@waddlebot/core';
import type { MemoriesDB, MemoriesTable, MemoryType } from './db.js';
import {
  MemoryInputError,
  checkAuthor,
  checkContent,
  checkTitle,
  normaliseUrl,
  parseTags,
} from './memory-fields.js';

export type Memory = Selectable<MemoriesTable>;

export interface MemoryDeps {
  db: Kysely<MemoriesDB>;
  clock: Clock;
}

export interface NewMemory {
  communityId: string;
  entityId: string | null;
  type: MemoryType;
  title?: string;
  content?: string;
  url?: string;
  author?: string;
  context?: string;
  tags?: string | string[];
  createdBy: string;
  createdByName: string | null;
}

/** Validates and shapes a new memory the way each type needs (interaction-modules §7). */
function memoryValues(input: NewMemory) {
  switch (input.type) {
    case 'quote': {
      const content = checkContent(input.type, input.content ?? '');
      const author = input.author?.trim() ? checkAuthor(input.author) : 'Unknown';
      return { title: checkTitle(input.title ?? `Quote by ${author}`), content, author, url: null };
    }
    case 'url': {
      if (!input.url) throw new MemoryInputError('A URL memory needs a url', 'url');
      const url = normaliseUrl(input.url);
      return {
        title: checkTitle(input.title ?? url),
        // A URL saved without a description keeps the URL itself as its content.
        content: input.content?.trim() ? checkContent(input.type, input.content) : url,
        author: input.author ? checkAuthor(input.author) : null,
        url,
      };
    }
    case 'note': {
      const content = checkContent(input.type, input.content ?? '');
      return {
        title: checkTitle(input.title ?? content.slice(0, 60)),
        content,
        author: input.author ? checkAuthor(input.author) : null,
        url: input.url ? normaliseUrl(input.url) : null,
      };
    }
  }
}

export async function addMemory(deps: MemoryDeps, input: NewMemory): Promise<Memory> {
  const shaped = memoryValues(input);
  const now = deps.clock.now();
  return deps.db
    .insertInto('memories')
    .values({
      community_id: input.communityId,
      entity_id: input.entityId,
      memory_type: input.type,
      ...shaped,
      context: input.context?.trim() || null,
      tags: parseTags(input.tags),
      created_by: input.createdBy,
      created_by_name: input.createdByName,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findMemory(
  deps: MemoryDeps,
  communityId: string,
  id: number,
): Promise<Memory | undefined> {
  if (!Number.isSafeInteger(id) || id < 1) return undefined;
  return deps.db
    .selectFrom('memories')
    .selectAll()
    .where('id', '=', id)
    .where('community_id', '=', communityId)
    .where('is_active', '=', true)
    .executeTakeFirst();
}

/** Counts one use of a memory (get, random quote). */
export async function useMemory(deps: MemoryDeps, memory: Memory): Promise<Memory> {
  return deps.db
    .updateTable('memories')
    .set({ usage_count: sql`usage_count + 1`, last_used: deps.clock.now() })
    .where('id', '=', memory.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface MemoryQuery {
  type?: MemoryType;
  term?: string;
  limit: number;
}

function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** Active memories of a community, newest first, optionally of one type and matching a term. */
export async function queryMemories(
  deps: MemoryDeps,
  communityId: string,
  q: MemoryQuery,
): Promise<{ memories: Memory[]; total: number }> {
  let base = deps.db
    .selectFrom('memories')
    .where('community_id', '=', communityId)
    .where('is_active', '=', true);
  if (q.type) base = base.where('memory_type', '=', q.type);
  if (q.term) {
    const pattern = `%${escapeLike(q.term)}%`;
    base = base.where((eb) =>
      eb.or([
        eb('title', 'ilike', pattern),
        eb('content', 'ilike', pattern),
        eb('author', 'ilike', pattern),
        eb('url', 'ilike', pattern),
        eb(sql<string>`array_to_string(tags, ' ')`, 'ilike', pattern),
      ]),
    );
  }
  const [memories, count] = await Promise.all([
    base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { memories, total: Number(count.n) };
}

export async function randomMemory(
  deps: MemoryDeps,
  communityId: string,
  type: MemoryType,
): Promise<Memory | undefined> {
  return deps.db
    .selectFrom('memories')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('memory_type', '=', type)
    .where('is_active', '=', true)
    .orderBy(sql`random()`)
    .limit(1)
    .executeTakeFirst();
}

export const EDITABLE_FIELDS = ['title', 'content', 'author', 'url', 'tags'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

export interface MemoryChanges {
  title?: string;
  content?: string;
  author?: string | null;
  url?: string | null;
  tags?: string | string[];
}

/** Applies validated changes; a URL is checked again, as on creation. */
export async function editMemory(deps: MemoryDeps, memory: Memory, changes: MemoryChanges): Promise<Memory> {
  const set: Partial<Record<string, unknown>> = {};
  if (changes.title !== undefined) set.title = checkTitle(changes.title);
  if (changes.content !== undefined) set.content = checkContent(memory.memory_type, changes.content);
  if (changes.author !== undefined) set.author = changes.author === null ? null : checkAuthor(changes.author);
  if (changes.url !== undefined) {
    if (changes.url === null && memory.memory_type === 'url')
      throw new MemoryInputError('A URL memory needs a url', 'url');
    set.url = changes.url === null ? null : normaliseUrl(changes.url);
  }
  if (changes.tags !== undefined) set.tags = parseTags(changes.tags);
  return deps.db
    .updateTable('memories')
    .set({ ...set, updated_at: deps.clock.now() })
    .where('id', '=', memory.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deactivateMemory(deps: MemoryDeps, memory: Memory): Promise<void> {
  await deps.db
    .updateTable('memories')
    .set({ is_active: false, updated_at: deps.clock.now() })
    .where('id', '=', memory.id)
    .execute();
}
