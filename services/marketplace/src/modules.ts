import { NotFoundError } from '@waddlebot/core';
import { sql, type Expression, type SqlBool } from 'kysely';
import type { ModuleRow, ReviewRow } from './db.js';
import type { Queryable } from './marketplace-deps.js';

/** A text[] parameter both drivers (pg, PGlite) send alike. */
export function textArray(values: readonly string[]) {
  return sql<string[]>`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
}

/** Every module column, with `tags` read as jsonb so both drivers return a JS array. */
export function selectModules(db: Queryable) {
  return db
    .selectFrom('marketplace_modules as m')
    .selectAll('m')
    .select(sql<string[]>`to_jsonb(m.tags)`.as('tags'));
}

/** Listed modules: active and published (§6.3 search semantics). */
export function listedModules(db: Queryable) {
  return selectModules(db).where('m.is_active', '=', true).where('m.published_at', 'is not', null);
}

export type ModuleView = ReturnType<typeof moduleView>;

/** The public form of a catalogue row: numbers as numbers, timestamps as ISO strings. */
export function moduleView(m: ModuleRow) {
  return {
    id: m.id,
    module_id: m.module_id,
    name: m.name,
    display_name: m.display_name,
    description: m.description,
    long_description: m.long_description,
    version: m.version,
    author: m.author,
    author_email: m.author_email,
    website: m.website,
    repository: m.repository,
    license: m.license,
    category: m.category,
    tags: m.tags ?? [],
    icon_url: m.icon_url,
    screenshots: m.screenshots ?? [],
    is_core: m.is_core,
    is_active: m.is_active,
    is_featured: m.is_featured,
    is_verified: m.is_verified,
    is_published: m.published_at !== null,
    download_count: m.download_count,
    rating_average: Number(m.rating_average),
    rating_count: m.rating_count,
    price: Number(m.price),
    requires_approval: m.requires_approval,
    min_waddlebot_version: m.min_waddlebot_version,
    created_at: new Date(m.created_at).toISOString(),
    updated_at: new Date(m.updated_at).toISOString(),
    published_at: m.published_at ? new Date(m.published_at).toISOString() : null,
  };
}

/** An active, published module by slug, else 404. */
export async function findListedModule(db: Queryable, moduleId: string): Promise<ModuleRow> {
  const row = await listedModules(db).where('m.module_id', '=', moduleId).executeTakeFirst();
  if (!row) throw new NotFoundError('Module not found');
  return row;
}

/**
 * Each whitespace-separated term must match name, display_name or description (case-insensitive
 * substring) or equal a tag (§6.3).
 */
export function searchCondition(search: string): Expression<SqlBool> | null {
  const terms = search.trim().split(/\s+/).filter(Boolean).slice(0, 10);
  if (terms.length === 0) return null;
  const like = (t: string) => `%${t.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return sql<SqlBool>`(${sql.join(
    terms.map(
      (t) => sql`(m.name ilike ${like(t)} or m.display_name ilike ${like(t)}
        or coalesce(m.description, '') ilike ${like(t)}
        or exists (select 1 from unnest(m.tags) tag where lower(tag) = lower(${t})))`,
    ),
    sql` and `,
  )})`;
}

export const SORTS = ['popular', 'recent', 'rating', 'name'] as const;
export type Sort = (typeof SORTS)[number];

export async function browseModules(
  db: Queryable,
  q: { category?: string; search?: string; sort: Sort; page: number; perPage: number },
) {
  let query = listedModules(db);
  if (q.category) query = query.where('m.category', '=', q.category);
  const cond = q.search ? searchCondition(q.search) : null;
  if (cond) query = query.where(cond);
  const { total } = await query
    .clearSelect()
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .executeTakeFirstOrThrow();
  const ordered =
    q.sort === 'popular'
      ? query.orderBy('m.download_count', 'desc')
      : q.sort === 'recent'
        ? query.orderBy('m.published_at', 'desc')
        : q.sort === 'rating'
          ? query.orderBy('m.rating_average', 'desc').orderBy('m.rating_count', 'desc')
          : query.orderBy(sql`lower(m.display_name)`);
  const rows = await ordered
    .orderBy('m.id')
    .limit(q.perPage)
    .offset((q.page - 1) * q.perPage)
    .execute();
  return { rows, total: Number(total) };
}

export async function listCategories(db: Queryable) {
  const rows = await db
    .selectFrom('module_categories as c')
    .select([
      'c.id',
      'c.name',
      'c.display_name',
      'c.description',
      'c.icon',
      'c.parent_category',
      'c.sort_order',
    ])
    .select((eb) =>
      eb
        .selectFrom('marketplace_modules as m')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('m.category', '=', 'c.name')
        .where('m.is_active', '=', true)
        .where('m.published_at', 'is not', null)
        .as('module_count'),
    )
    .where('c.is_active', '=', true)
    .orderBy('c.sort_order')
    .orderBy('c.id')
    .execute();
  return rows.map((r) => ({ ...r, module_count: Number(r.module_count ?? 0) }));
}

/** `GET /marketplace`: the storefront. */
export async function storefront(db: Queryable) {
  const [featured, popular, recent, categories] = await Promise.all([
    listedModules(db)
      .where('m.is_featured', '=', true)
      .orderBy('m.rating_average', 'desc')
      .orderBy('m.rating_count', 'desc')
      .orderBy('m.id')
      .limit(6)
      .execute(),
    listedModules(db).orderBy('m.download_count', 'desc').orderBy('m.id').limit(8).execute(),
    listedModules(db).orderBy('m.published_at', 'desc').orderBy('m.id', 'desc').limit(8).execute(),
    listCategories(db),
  ]);
  return {
    featured_modules: featured.map(moduleView),
    popular_modules: popular.map(moduleView),
    recent_modules: recent.map(moduleView),
    categories,
  };
}

/** `GET /marketplace/search`: typeahead suggestions. */
export async function suggest(db: Queryable, q: string, limit: number) {
  const cond = q.trim().length >= 2 ? searchCondition(q) : null;
  if (!cond) return [];
  const rows = await listedModules(db)
    .where(cond)
    .orderBy('m.download_count', 'desc')
    .orderBy('m.id')
    .limit(limit)
    .execute();
  return rows.map((m) => {
    const d = m.description ?? '';
    return {
      module_id: m.module_id,
      name: m.display_name,
      description: d.length > 100 ? `${d.slice(0, 100)}...` : d,
      rating: Number(m.rating_average),
    };
  });
}

export function commandView(c: {
  id: number;
  command: string;
  description: string;
  usage: string;
  examples: string[];
  location: string;
  type: string;
  method: string;
  timeout: number;
  rate_limit: number;
  permissions_required: string[];
  parameters: unknown[];
}) {
  return {
    id: c.id,
    command: c.command,
    prefix: c.location === 'community' ? '#' : '!',
    description: c.description,
    usage: c.usage,
    examples: c.examples,
    location: c.location,
    type: c.type,
    method: c.method,
    timeout: c.timeout,
    rate_limit: c.rate_limit,
    permissions_required: c.permissions_required,
    parameters: c.parameters,
  };
}

/** `GET /marketplace/module/:module_id`. */
export async function moduleDetails(db: Queryable, moduleId: string) {
  const m = await findListedModule(db, moduleId);
  const [versions, commands, reviews, installs] = await Promise.all([
    db
      .selectFrom('module_versions')
      .selectAll()
      .where('module_id', '=', m.id)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute(),
    db
      .selectFrom('module_commands')
      .selectAll()
      .where('module_id', '=', m.id)
      .where('is_active', '=', true)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('module_reviews')
      .selectAll()
      .where('module_id', '=', m.id)
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(10)
      .execute(),
    db
      .selectFrom('module_installations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('module_id', '=', m.id)
      .where('is_enabled', '=', true)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    module: moduleView(m),
    versions: versions.map(versionView),
    commands: commands.map(commandView),
    reviews: reviews.map(reviewView),
    installation_count: Number(installs.n),
  };
}

export function versionView(v: {
  id: number;
  version: string;
  changelog: string | null;
  download_url: string | null;
  checksum: string | null;
  file_size: string | number | null;
  installation_instructions: string | null;
  requirements: Record<string, unknown>;
  compatibility: Record<string, unknown>;
  is_stable: boolean;
  is_latest: boolean;
  download_count: number;
  created_at: Date;
}) {
  return {
    ...v,
    file_size: v.file_size === null ? null : Number(v.file_size),
    created_at: new Date(v.created_at).toISOString(),
  };
}

export function reviewView(r: Omit<ReviewRow, 'module_id'>) {
  return {
    id: r.id,
    community_id: r.community_id,
    user_id: r.user_id,
    user_name: r.user_name,
    rating: r.rating,
    title: r.title,
    review_text: r.review_text,
    is_verified_purchase: r.is_verified_purchase,
    helpful_votes: r.helpful_votes,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

/** Any module by slug, published or not, for catalogue administration. */
export async function findActiveModule(db: Queryable, moduleId: string): Promise<ModuleRow> {
  const row = await selectModules(db)
    .where('m.module_id', '=', moduleId)
    .where('m.is_active', '=', true)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Module not found');
  return row;
}
