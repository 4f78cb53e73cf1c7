import {
  ConflictError,
  NotFoundError,
  ValidationError,
  isUniqueViolation,
  sql,
  type Clock,
} from '@waddlebot/core';
import type { Kysely, Transaction } from 'kysely';
import { aliasNameOf, assertNotReserved, assertTemplateAllowed, normaliseAliasName } from './alias-rules.js';
import { countActiveAliases, findActiveAlias, listActiveAliases, recordAliasUse } from './alias-store.js';
import type { AliasDB, AliasRow, AliasType } from './db.js';
import { aliasTypeOf, commandTargetOf, expandTemplate, type InvokingUser } from './template.js';

export interface AliasDeps {
  db: Kysely<AliasDB>;
  clock: Clock;
  maxPerCommunity: number;
  reserved: ReadonlySet<string>;
}

/** How far a chain of command aliases is followed when looking for a cycle. */
const MAX_CHAIN_HOPS = 10;

export interface AliasView {
  alias: string;
  alias_type: AliasType;
  template: string;
  created_by: string | null;
  created_by_name: string | null;
  created_at: string;
  updated_at: string;
  usage_count: number;
  last_used: string | null;
}

export function aliasView(row: AliasRow): AliasView {
  return {
    alias: row.alias,
    alias_type: row.alias_type,
    template: row.template,
    created_by: row.created_by,
    created_by_name: row.created_by_name,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    usage_count: row.usage_count,
    last_used: row.last_used ? new Date(row.last_used).toISOString() : null,
  };
}

export function listAliases(deps: Pick<AliasDeps, 'db'>, communityId: string) {
  return listActiveAliases(deps.db, communityId);
}

/** Serialises writes of one community, so the per-community limit and cycle checks hold under concurrency. */
async function lockCommunity(trx: Transaction<AliasDB>, communityId: string) {
  await sql`select pg_advisory_xact_lock(hashtext(${`alias:${communityId}`}))`.execute(trx);
}

/**
 * Rejects a template that would loop: following the chain of command aliases from the template's
 * target must never come back to `name` (or run past MAX_CHAIN_HOPS).
 */
async function assertNoCycle(db: Transaction<AliasDB>, communityId: string, name: string, template: string) {
  let target = commandTargetOf(template);
  const seen = new Set<string>();
  for (let hop = 0; target && target.prefix === '!'; hop++) {
    if (target.name === name || seen.has(target.name)) {
      throw new ValidationError(`!${name} would create an alias loop through !${target.name}`, [
        { path: 'template', message: 'creates a cycle' },
      ]);
    }
    if (hop >= MAX_CHAIN_HOPS) {
      throw new ValidationError(`The alias chain from !${name} is too long`, [
        { path: 'template', message: 'chain too long' },
      ]);
    }
    seen.add(target.name);
    const next = await findActiveAlias(db, communityId, target.name);
    if (!next || next.alias_type !== 'command') return;
    target = commandTargetOf(next.template);
  }
}

export interface CreateAliasInput {
  communityId: string;
  alias: string;
  template: string;
  createdBy: string | null;
  createdByName: string | null;
}

export async function createAlias(deps: AliasDeps, input: CreateAliasInput): Promise<AliasRow> {
  const name = normaliseAliasName(input.alias);
  assertNotReserved(name, deps.reserved);
  const template = input.template.trim();
  assertTemplateAllowed(name, template);
  const duplicate = () =>
    new ConflictError(`!${name} already exists; remove it first with !alias remove !${name}`);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      await lockCommunity(trx, input.communityId);
      if (await findActiveAlias(trx, input.communityId, name)) throw duplicate();
      if ((await countActiveAliases(trx, input.communityId)) >= deps.maxPerCommunity) {
        // Listed with the add-time validation rules (interaction-modules §3), so a 400, not a 409.
        throw new ValidationError(
          `This community already has ${deps.maxPerCommunity} aliases; remove one first`,
          [{ path: 'alias', message: `at most ${deps.maxPerCommunity} active aliases` }],
        );
      }
      await assertNoCycle(trx, input.communityId, name, template);
      const now = deps.clock.now();
      return trx
        .insertInto('alias_commands')
        .values({
          community_id: input.communityId,
          alias: name,
          alias_type: aliasTypeOf(template),
          template,
          created_by: input.createdBy,
          created_by_name: input.createdByName,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate();
    throw err;
  }
}

/** An existing alias's name: one that could never have been created is simply unknown. */
function existingName(rawName: string): string {
  const name = aliasNameOf(rawName);
  if (name === null)
    throw new NotFoundError(`No alias named !${rawName.trim().replace(/^!/, '').slice(0, 40)}`);
  return name;
}

export async function updateAlias(
  deps: AliasDeps,
  communityId: string,
  rawName: string,
  rawTemplate: string,
): Promise<AliasRow> {
  const name = existingName(rawName);
  const template = rawTemplate.trim();
  assertTemplateAllowed(name, template);
  return deps.db.transaction().execute(async (trx) => {
    await lockCommunity(trx, communityId);
    const current = await findActiveAlias(trx, communityId, name);
    if (!current) throw new NotFoundError(`No alias named !${name}`);
    await assertNoCycle(trx, communityId, name, template);
    return trx
      .updateTable('alias_commands')
      .set({ template, alias_type: aliasTypeOf(template), updated_at: deps.clock.now() })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Soft delete: the row stays for history, the name becomes free again. */
export async function removeAlias(
  deps: Pick<AliasDeps, 'db' | 'clock'>,
  communityId: string,
  rawName: string,
): Promise<AliasRow> {
  const name = existingName(rawName);
  const row = await deps.db
    .updateTable('alias_commands')
    .set({ is_active: false, updated_at: deps.clock.now() })
    .where('community_id', '=', communityId)
    .where('alias', '=', name)
    .where('is_active', '=', true)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`No alias named !${name}`);
  return row;
}

export interface ResolvedAlias {
  row: AliasRow;
  expanded: string;
}

/** Looks an alias up without counting a use (callers check limits first). */
export async function findAlias(
  deps: Pick<AliasDeps, 'db'>,
  communityId: string,
  rawName: string,
): Promise<AliasRow | undefined> {
  const name = aliasNameOf(rawName);
  return name === null ? undefined : findActiveAlias(deps.db, communityId, name);
}

/** Counts a use of `row` and substitutes its template; undefined when it was removed meanwhile. */
export async function useAlias(
  deps: Pick<AliasDeps, 'db' | 'clock'>,
  row: AliasRow,
  user: InvokingUser,
  args: readonly string[],
): Promise<ResolvedAlias | undefined> {
  const used = await recordAliasUse(deps.db, row.id, deps.clock.now());
  if (!used) return undefined;
  return { row: used, expanded: expandTemplate(used.template, user, args) };
}
