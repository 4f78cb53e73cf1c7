import { ConflictError, isUniqueViolation, z } from '@waddlebot/core';
import type { Transaction } from 'kysely';
import type { MarketplaceDB } from './db.js';
import type { MarketplaceDeps } from './marketplace-deps.js';
import { findActiveModule, textArray } from './modules.js';
import { queueSync } from './router-sync.js';

/** The router's command-name rule (router-and-receivers §3.18), so a sync never fails on a name. */
const CommandName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/, 'must be a command name without prefix')
  .transform((c) => c.toLowerCase());

export const ModuleCommandInput = z.object({
  command: CommandName,
  description: z.string().max(500).default(''),
  usage: z.string().max(500).default(''),
  examples: z.array(z.string().max(500)).max(20).default([]),
  location_url: z.url({ protocol: /^https?$/ }).max(2000),
  location: z.enum(['internal', 'community']).default('internal'),
  type: z.enum(['container', 'lambda', 'openwhisk', 'webhook']).default('lambda'),
  method: z.enum(['GET', 'POST', 'PUT']).default('POST'),
  timeout: z.number().int().min(1).max(300).default(30),
  rate_limit: z.number().int().min(0).max(1_000_000).default(60),
  auth_required: z.boolean().default(false),
  permissions_required: z.array(z.string().min(1).max(64)).max(10).default([]),
  parameters: z.array(z.unknown()).max(50).default([]),
});
export type ModuleCommandInput = z.output<typeof ModuleCommandInput>;

const money = z.number().min(0).max(99_999_999.99);
const shortText = (max: number) => z.string().trim().min(1).max(max);

const editable = {
  name: shortText(100),
  display_name: shortText(200),
  description: z.string().max(2000).nullable(),
  long_description: z.string().max(20_000).nullable(),
  author: shortText(200),
  author_email: z.email().max(320).nullable(),
  website: z.url().max(2000).nullable(),
  repository: z.url().max(2000).nullable(),
  license: shortText(50),
  category: z.string().regex(/^[a-z0-9_-]{1,50}$/, 'must be a category name'),
  tags: z.array(z.string().trim().min(1).max(50)).max(20),
  icon_url: z.url().max(2000).nullable(),
  screenshots: z.array(z.url().max(2000)).max(20),
  is_featured: z.boolean(),
  is_verified: z.boolean(),
  price: money,
  requires_approval: z.boolean(),
  min_waddlebot_version: z.string().max(32).nullable(),
  commands: z.array(ModuleCommandInput).max(50),
};

export const ModuleCreateInput = z.object({
  module_id: z.string().regex(/^[a-z0-9_-]{3,100}$/, 'must be 3–100 characters of a-z, 0-9, _ and -'),
  version: z.string().trim().min(1).max(32),
  display_name: editable.display_name,
  author: editable.author,
  category: editable.category,
  is_core: z.boolean().default(false),
  ...Object.fromEntries(
    Object.entries(editable)
      .filter(([k]) => !['display_name', 'author', 'category'].includes(k))
      .map(([k, v]) => [k, v.optional()]),
  ),
}) as unknown as z.ZodType<ModuleCreate>;

type Editable = { [K in keyof typeof editable]: z.output<(typeof editable)[K]> };
export type ModuleCreate = Partial<Editable> &
  Pick<Editable, 'display_name' | 'author' | 'category'> & {
    module_id: string;
    version: string;
    is_core: boolean;
  };

export const ModuleUpdateInput = z.object({
  ...Object.fromEntries(Object.entries(editable).map(([k, v]) => [k, v.optional()])),
  is_published: z.boolean().optional(),
}) as unknown as z.ZodType<Partial<Editable> & { is_published?: boolean }>;

export const VersionInput = z.object({
  version: z.string().trim().min(1).max(32),
  changelog: z.string().max(20_000).nullish(),
  download_url: z.url().max(2000).nullish(),
  checksum: z.string().max(128).nullish(),
  file_size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
  installation_instructions: z.string().max(20_000).nullish(),
  requirements: z.record(z.string(), z.unknown()).default({}),
  compatibility: z.record(z.string(), z.unknown()).default({}),
  is_stable: z.boolean().default(true),
  is_latest: z.boolean().default(true),
});
export type VersionInput = z.output<typeof VersionInput>;

function plainColumns(input: Partial<Editable>) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined || k === 'commands' || k === 'tags') continue;
    out[k] = k === 'screenshots' ? JSON.stringify(v) : v;
  }
  if (input.tags) out.tags = textArray(input.tags);
  return out;
}

async function replaceCommands(
  trx: Transaction<MarketplaceDB>,
  moduleRowId: number,
  commands: ModuleCommandInput[],
  now: Date,
) {
  // Retired commands stay as inactive rows: a sync still knows which router rows they were.
  await trx
    .updateTable('module_commands')
    .set({ is_active: false })
    .where('module_id', '=', moduleRowId)
    .execute();
  for (const c of commands) {
    await trx
      .insertInto('module_commands')
      .values({
        module_id: moduleRowId,
        command: c.command,
        description: c.description,
        usage: c.usage,
        examples: JSON.stringify(c.examples),
        location_url: c.location_url,
        location: c.location,
        type: c.type,
        method: c.method,
        timeout: c.timeout,
        rate_limit: c.rate_limit,
        auth_required: c.auth_required,
        permissions_required: JSON.stringify(c.permissions_required),
        parameters: JSON.stringify(c.parameters),
        created_at: now,
      })
      .execute();
  }
}

/**
 * A module leaving the listing (unpublished, deleted) or changing its commands must be re-synced
 * for every community that installed it; the maintenance loop runs these jobs.
 */
async function queueInstalledCommunities(trx: Transaction<MarketplaceDB>, moduleRowId: number, now: Date) {
  const rows = await trx
    .selectFrom('module_installations')
    .select('community_id')
    .where('module_id', '=', moduleRowId)
    .execute();
  for (const r of rows) await queueSync(trx, r.community_id, moduleRowId, now);
}

/** `POST /marketplace/modules`: a new, unpublished module with its first version marked latest. */
export async function createModule(deps: MarketplaceDeps, input: ModuleCreate) {
  const now = deps.clock.now();
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('marketplace_modules')
        .values({
          ...(plainColumns(input) as object),
          module_id: input.module_id,
          name: input.name ?? input.module_id,
          display_name: input.display_name,
          author: input.author,
          category: input.category,
          version: input.version,
          is_core: input.is_core,
          created_at: now,
          updated_at: now,
          published_at: null,
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('module_versions')
        .values({ module_id: row.id, version: input.version, is_latest: true, created_at: now })
        .execute();
      if (input.commands) await replaceCommands(trx, row.id, input.commands, now);
      return { id: row.id, module_id: input.module_id };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('A module with this module_id exists');
    throw err;
  }
}

/** `PUT /marketplace/modules/:module_id`. */
export async function updateModule(
  deps: MarketplaceDeps,
  moduleId: string,
  input: Partial<Editable> & { is_published?: boolean },
) {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const m = await findActiveModule(trx, moduleId);
    const { is_published, ...fields } = input;
    const published =
      is_published === undefined ? {} : { published_at: is_published ? (m.published_at ?? now) : null };
    await trx
      .updateTable('marketplace_modules')
      .set({ ...(plainColumns(fields) as object), ...published, updated_at: now } as never)
      .where('id', '=', m.id)
      .execute();
    if (fields.commands) await replaceCommands(trx, m.id, fields.commands, now);
    if (fields.commands || is_published !== undefined) await queueInstalledCommunities(trx, m.id, now);
    return { module_id: moduleId };
  });
}

/** `DELETE /marketplace/modules/:module_id`: soft delete; core modules stay. */
export async function deleteModule(deps: MarketplaceDeps, moduleId: string) {
  const m = await findActiveModule(deps.db, moduleId);
  if (m.is_core) throw new ConflictError('Core modules cannot be deleted');
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('marketplace_modules')
      .set({ is_active: false, updated_at: now })
      .where('id', '=', m.id)
      .execute();
    await queueInstalledCommunities(trx, m.id, now);
  });
  return { module_id: moduleId, deleted: true as const };
}

/** `POST /marketplace/modules/:module_id/versions`; a latest version also becomes the module's version. */
export async function addVersion(deps: MarketplaceDeps, moduleId: string, input: VersionInput) {
  const now = deps.clock.now();
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const m = await findActiveModule(trx, moduleId);
      if (input.is_latest) {
        await trx
          .updateTable('module_versions')
          .set({ is_latest: false })
          .where('module_id', '=', m.id)
          .execute();
        await trx
          .updateTable('marketplace_modules')
          .set({ version: input.version, updated_at: now })
          .where('id', '=', m.id)
          .execute();
      }
      const row = await trx
        .insertInto('module_versions')
        .values({
          module_id: m.id,
          version: input.version,
          changelog: input.changelog ?? null,
          download_url: input.download_url ?? null,
          checksum: input.checksum ?? null,
          file_size: input.file_size ?? null,
          installation_instructions: input.installation_instructions ?? null,
          requirements: JSON.stringify(input.requirements),
          compatibility: JSON.stringify(input.compatibility),
          is_stable: input.is_stable,
          is_latest: input.is_latest,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: row.id, module_id: moduleId, version: input.version, is_latest: input.is_latest };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('This version exists');
    throw err;
  }
}
