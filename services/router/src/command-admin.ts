import {
  CommandSeedSchema,
  ConflictError,
  GLOBAL_COMMUNITY_ID,
  NotFoundError,
  isUniqueViolation,
  ValidationError,
  parseEntityId,
  z,
  type CommandRow,
} from '@waddlebot/core';
import { sql } from 'kysely';
import { INT4_MAX, dbId, int4 } from './db-limits.js';
import { ensureEntity, entityCommunity, findEntity } from './registry.js';
import type { RouterContext } from './router-deps.js';
import { deactivateRow } from './soft-delete.js';

const commandName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/, 'must be a command name without prefix')
  .transform((c) => c.toLowerCase());

/** `POST /router/admin/commands` body: a seed row (contracts §9.2) plus the admin-only columns. */
export const CommandWriteSchema = CommandSeedSchema.extend({
  category: z.string().max(64).default('general'),
  module_id: z.string().max(128).nullish(),
  // Receivers wait 45 s for the router, so module timeouts are capped at 40 s (§3.8); a row
  // without one gets ROUTER_REQUEST_TIMEOUT, the default module timeout (§3.1).
  timeout: z
    .number()
    .int()
    .min(1)
    .max(300)
    .transform((t) => Math.min(t, 40))
    .optional(),
  is_active: z.boolean().default(true),
  // §3.5: core `!` commands are on by default, marketplace `#` commands off, unless the row says.
  enabled_by_default: z.boolean().optional(),
  // §3.6: omitted → derived from the command name (ban → users.ban, …).
  required_permission: z.string().min(1).max(64).optional(),
  command: commandName,
  aliases: z.array(commandName).default([]),
  // Column widths of §3.18, so an oversized value is a 400 and not a database error.
  module_name: z.string().min(1).max(128),
  module_type: z.string().max(16).default('interaction'),
  version: z.string().max(32).default('1.0.0'),
  rate_limit: z.number().int().min(0).max(INT4_MAX).default(0),
  priority: int4.default(100),
  community_id: dbId.nullable().optional(),
  location_url: z.url({ protocol: /^https?$/ }),
});
export type CommandWrite = z.output<typeof CommandWriteSchema>;

const REDACTED = '***';

/** A default belongs to creation: a partial update must leave every field it does not name alone. */
function withoutDefault(field: z.ZodType): z.ZodType {
  return field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field;
}

/** `PUT /router/admin/commands/:id` body: any row field, none defaulted. */
export const CommandPatchSchema = z
  .object(
    Object.fromEntries(
      Object.entries(CommandWriteSchema.omit({ aliases: true }).shape).map(([k, v]) => [
        k,
        withoutDefault(v as z.ZodType).optional(),
      ]),
    ),
  )
  .strip() as unknown as z.ZodType<Partial<Omit<CommandWrite, 'aliases'>>>;
export type CommandPatch = Partial<Omit<CommandWrite, 'aliases'>>;

/**
 * The permission a command needs when its row names none (§3.6): the original router's
 * command → permission map, now enforced.
 */
const PERMISSION_BY_COMMAND: Record<string, string> = {
  ban: 'users.ban',
  kick: 'users.kick',
  timeout: 'users.timeout',
  warn: 'users.warn',
  config: 'commands.admin',
  settings: 'commands.admin',
  install_module: 'community.install_modules',
};

export function defaultPermission(command: string): string {
  return PERMISSION_BY_COMMAND[command] ?? 'commands.basic';
}

function columns(row: Partial<CommandRow & CommandWrite>) {
  const out: Record<string, unknown> = {};
  const plain = [
    'description',
    'usage',
    'category',
    'location',
    'type',
    'location_url',
    'method',
    'timeout',
    'rate_limit',
    'required_permission',
    'enabled_by_default',
    'is_active',
    'module_type',
    'module_id',
    'module_name',
    'version',
    'trigger_type',
    'priority',
    'execution_mode',
  ] as const;
  for (const k of plain) if (row[k] !== undefined) out[k] = row[k];
  if (row.headers !== undefined) out.headers = JSON.stringify(row.headers);
  if (row.event_types !== undefined) out.event_types = JSON.stringify(row.event_types);
  return out;
}

/**
 * Upserts on (prefix, command, community_id); each alias becomes its own row with the same
 * target. Returns the main row's id and whether it was created.
 */
export async function upsertCommand(
  ctx: RouterContext,
  input: CommandWrite,
): Promise<{ id: number; created: boolean }> {
  const community = input.community_id ?? null;
  const now = ctx.deps.clock.now();
  const names = [
    input.command,
    ...input.aliases.map((a) => a.toLowerCase()).filter((a) => a !== input.command),
  ];
  const result = await ctx.db.transaction().execute(async (trx) => {
    let main: { id: number; created: boolean } | null = null;
    for (const name of names) {
      const values = {
        ...columns(input),
        timeout: input.timeout ?? ctx.config.ROUTER_REQUEST_TIMEOUT,
        required_permission: input.required_permission ?? defaultPermission(input.command),
        enabled_by_default: input.enabled_by_default ?? input.prefix === '!',
        command: name,
        prefix: input.prefix,
        community_id: community,
        updated_at: now,
      };
      const row = await trx
        .insertInto('commands')
        .values({ ...values, created_at: now } as never)
        .onConflict((oc) => oc.columns(['prefix', 'command', 'community_id']).doUpdateSet(values as never))
        .returning(['id', sql<boolean>`(xmax = 0)`.as('inserted')])
        .executeTakeFirstOrThrow();
      main ??= { id: row.id, created: Boolean(row.inserted) };
    }
    return main!;
  });
  await ctx.invalidate({ prefixes: ['command:', 'permission:'] });
  return result;
}

export async function updateCommand(ctx: RouterContext, id: number, patch: CommandPatch) {
  const values = { ...columns(patch), updated_at: ctx.deps.clock.now() } as Record<string, unknown>;
  if (patch.command !== undefined) values.command = patch.command;
  if (patch.prefix !== undefined) values.prefix = patch.prefix;
  if (patch.community_id !== undefined) values.community_id = patch.community_id;
  let res;
  try {
    res = await ctx.db
      .updateTable('commands')
      .set(values as never)
      .where('id', '=', id)
      .executeTakeFirst();
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ConflictError('Another command has that prefix, name and community');
    throw err;
  }
  if (!res.numUpdatedRows) throw new NotFoundError('Command not found');
  await ctx.invalidate({ prefixes: ['command:', 'permission:'] });
  return { id };
}

export async function deactivateCommand(ctx: RouterContext, id: number) {
  await deactivateRow(ctx, 'commands', id, 'Command');
  await ctx.invalidate({ prefixes: ['command:', 'permission:'] });
  return { id, is_active: false };
}

/** `PUT /router/admin/commands/:id/entities/:entity_id` — creates the entity row when needed. */
export async function setEntityEnablement(
  ctx: RouterContext,
  commandId: number,
  entityId: string,
  input: { is_enabled: boolean; config?: Record<string, unknown> },
) {
  if (!parseEntityId(entityId)) {
    throw new ValidationError('Validation failed', [
      { path: 'entity_id', message: 'must be <platform>:<server_id>[:<channel_id>]' },
    ]);
  }
  const command = await ctx.db
    .selectFrom('commands')
    .select('id')
    .where('id', '=', commandId)
    .executeTakeFirst();
  if (!command) throw new NotFoundError('Command not found');
  const entity = await ensureEntity(ctx, entityId);
  const now = ctx.deps.clock.now();
  const config = input.config === undefined ? undefined : JSON.stringify(input.config);
  await ctx.db
    .insertInto('command_permissions')
    .values({
      command_id: commandId,
      entity_id: entity.id,
      is_enabled: input.is_enabled,
      config: config ?? null,
      created_at: now,
      updated_at: now,
    } as never)
    .onConflict((oc) =>
      oc.columns(['command_id', 'entity_id']).doUpdateSet({
        is_enabled: input.is_enabled,
        ...(config !== undefined ? { config } : {}),
        updated_at: now,
      } as never),
    )
    .execute();
  await ctx.invalidate({ prefixes: [`permission:${commandId}:${entityId}`] });
  return { command_id: commandId, entity_id: entityId, is_enabled: input.is_enabled };
}

/**
 * `GET /router/commands`: the active command rows of the Global community, plus those of the
 * named community (or the entity's), where a community row replaces the global row of the
 * same name (§3.5). `enabled` only when an entity is named.
 */
export async function listCommands(
  ctx: RouterContext,
  q: { prefix?: string; entity_id?: string; community_id?: number },
) {
  const community =
    q.community_id ?? (q.entity_id ? await entityCommunity(ctx, q.entity_id) : GLOBAL_COMMUNITY_ID);
  let query = ctx.db
    .selectFrom('commands')
    .selectAll()
    .where('is_active', '=', true)
    .where('trigger_type', 'in', ['command', 'both'])
    .where((eb) => eb.or([eb('community_id', 'is', null), eb('community_id', '=', community)]));
  if (q.prefix) query = query.where('prefix', '=', q.prefix);
  const all = await query.orderBy('prefix').orderBy('command').execute();
  const overridden = new Set(
    all.filter((r) => r.community_id !== null).map((r) => `${r.prefix}${r.command}`),
  );
  const rows = all.filter((r) => r.community_id !== null || !overridden.has(`${r.prefix}${r.command}`));
  let enabled: Map<number, boolean> | null = null;
  if (q.entity_id) {
    const entity = await findEntity(ctx, q.entity_id);
    const perms = entity
      ? await ctx.db
          .selectFrom('command_permissions')
          .select(['command_id', 'is_enabled'])
          .where('entity_id', '=', entity.id)
          .execute()
      : [];
    enabled = new Map(perms.map((p) => [p.command_id, p.is_enabled]));
  }
  const commands = rows.map((r) => ({
    id: r.id,
    command: `${r.prefix}${r.command}`,
    description: r.description,
    usage: r.usage,
    location: r.location,
    type: r.type,
    module_type: r.module_type,
    module_name: r.module_name,
    version: r.version,
    community_id: r.community_id,
    ...(enabled ? { enabled: enabled.get(r.id) ?? r.enabled_by_default } : {}),
  }));
  return { commands, total: commands.length };
}

/**
 * Every registry row for admin tooling. Header values are how community-hosted modules
 * authenticate the router, so only their names are shown.
 */
export async function adminCommandRows(ctx: RouterContext) {
  const rows = await ctx.db.selectFrom('commands').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    ...r,
    headers: Object.fromEntries(Object.keys(r.headers ?? {}).map((name) => [name, REDACTED])),
  }));
}
