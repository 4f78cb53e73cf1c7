import { AppError, ConflictError, NotFoundError, isUniqueViolation, type ErrorDetail } from '@waddlebot/core';
import type { Updateable } from 'kysely';
import type { ModuleInstallationsTable, ModuleRow } from './db.js';
import type { MarketplaceDeps, Queryable } from './marketplace-deps.js';
import { findListedModule, listedModules, moduleView } from './modules.js';
import { queueSync, runQueuedSync } from './router-sync.js';
import { findSubscription, paidAccess } from './subscriptions.js';

async function installationOf(db: Queryable, moduleRowId: number, communityId: number) {
  return db
    .selectFrom('module_installations')
    .selectAll()
    .where('module_id', '=', moduleRowId)
    .where('community_id', '=', communityId)
    .executeTakeFirst();
}

/** `latest` → the version flagged latest, else the module's version; a named one must exist. */
async function resolveVersion(db: Queryable, module: ModuleRow, wanted: string) {
  if (wanted === 'latest') {
    const latest = await db
      .selectFrom('module_versions')
      .select(['id', 'version'])
      .where('module_id', '=', module.id)
      .where('is_latest', '=', true)
      .executeTakeFirst();
    return latest ?? { id: null, version: module.version };
  }
  const v = await db
    .selectFrom('module_versions')
    .select(['id', 'version'])
    .where('module_id', '=', module.id)
    .where('version', '=', wanted)
    .executeTakeFirst();
  if (v) return v;
  // Core modules ship without version rows; their only version is the module's.
  if (wanted === module.version) return { id: null, version: module.version };
  throw new NotFoundError('Module version not found');
}

/** The module an uninstall, toggle or config change names; an unknown one is not installed. */
async function findModuleToChange(db: Queryable, moduleId: string) {
  return findListedModule(db, moduleId).catch(() => {
    throw new NotFoundError('Module is not installed in this community');
  });
}

export interface InstallInput {
  moduleId: string;
  communityId: number;
  userKey: string;
  version: string;
}

/**
 * §6.2 install. The installation, the counters, the download row and the router-sync job commit
 * together; the router is called after the commit. A router failure leaves the job queued (the
 * retry loop and `/sync` finish it) and is reported as `warning`, so nothing is half-installed.
 */
export async function installModule(deps: MarketplaceDeps, input: InstallInput, module: ModuleRow) {
  const now = deps.clock.now();
  const version = await resolveVersion(deps.db, module, input.version);
  const existing = await installationOf(deps.db, module.id, input.communityId);
  // A core module is installed everywhere until a community turns it off.
  if (module.is_core ? !existing || existing.is_enabled : existing)
    throw new ConflictError('Module is already installed in this community');

  const price = Number(module.price);
  const access = paidAccess(await findSubscription(deps.db, input.communityId), price, now);
  if (!access.allowed)
    throw new AppError('SUBSCRIPTION_REQUIRED', 'This module needs an active community subscription', [
      { subscription_status: access.subscription_status, module_price: price, currency: 'USD' },
    ] as unknown as ErrorDetail[]);

  let installationId: number;
  try {
    installationId = await deps.db.transaction().execute(async (trx) => {
      let id: number;
      if (existing) {
        // Only a turned-off core module gets here: installing it again turns it back on.
        await trx
          .updateTable('module_installations')
          .set({
            is_enabled: true,
            installed_version: version.version,
            installed_by: input.userKey,
            last_updated: now,
          })
          .where('id', '=', existing.id)
          .execute();
        id = existing.id;
      } else {
        const row = await trx
          .insertInto('module_installations')
          .values({
            module_id: module.id,
            community_id: input.communityId,
            installed_version: version.version,
            is_enabled: true,
            config: '{}',
            installed_by: input.userKey,
            installed_at: now,
            last_updated: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        id = row.id;
      }
      await trx
        .updateTable('marketplace_modules')
        .set((eb) => ({ download_count: eb('download_count', '+', 1) }))
        .where('id', '=', module.id)
        .execute();
      if (version.id !== null)
        await trx
          .updateTable('module_versions')
          .set((eb) => ({ download_count: eb('download_count', '+', 1) }))
          .where('id', '=', version.id)
          .execute();
      await trx
        .insertInto('module_downloads')
        .values({
          module_id: module.id,
          version: version.version,
          community_id: input.communityId,
          user_id: input.userKey,
          ip_address: null,
          user_agent: null,
          download_type: existing ? 'reinstall' : 'install',
          created_at: now,
        })
        .execute();
      await queueSync(trx, input.communityId, module.id, now);
      return id;
    });
  } catch (err) {
    // Two concurrent installs: the unique (module, community) key lets one win.
    if (isUniqueViolation(err)) throw new ConflictError('Module is already installed in this community');
    throw err;
  }
  deps.logger.audit({
    action: 'module_installed',
    user: input.userKey,
    community: String(input.communityId),
    result: 'SUCCESS',
    module_id: module.module_id,
    version: version.version,
  });
  const syncWarning = await runQueuedSync(deps, input.communityId, module.id);
  const warning = [access.message, syncWarning].filter(Boolean).join('; ');
  return {
    installation_id: installationId,
    module_id: module.module_id,
    installed_version: version.version,
    ...(warning ? { warning } : {}),
    ...(access.expires_at ? { expires_at: access.expires_at } : {}),
  };
}

/** §6.2 uninstall: a marketplace module's row goes; a core module gets a turned-off row. */
export async function uninstallModule(
  deps: MarketplaceDeps,
  input: { moduleId: string; communityId: number; userKey: string },
) {
  const now = deps.clock.now();
  const module = await findModuleToChange(deps.db, input.moduleId);
  await deps.db.transaction().execute(async (trx) => {
    const existing = await installationOf(trx, module.id, input.communityId);
    if (module.is_core) {
      if (existing && !existing.is_enabled)
        throw new NotFoundError('Module is not installed in this community');
      if (existing)
        await trx
          .updateTable('module_installations')
          .set({ is_enabled: false, installed_by: input.userKey, last_updated: now })
          .where('id', '=', existing.id)
          .execute();
      else
        await trx
          .insertInto('module_installations')
          .values({
            module_id: module.id,
            community_id: input.communityId,
            installed_version: module.version,
            is_enabled: false,
            config: '{}',
            installed_by: input.userKey,
            installed_at: now,
            last_updated: now,
          })
          .execute();
    } else {
      if (!existing) throw new NotFoundError('Module is not installed in this community');
      await trx.deleteFrom('module_installations').where('id', '=', existing.id).execute();
    }
    await queueSync(trx, input.communityId, module.id, now);
  });
  deps.logger.audit({
    action: 'module_uninstalled',
    user: input.userKey,
    community: String(input.communityId),
    result: 'SUCCESS',
    module_id: module.module_id,
  });
  const warning = await runQueuedSync(deps, input.communityId, module.id);
  return { uninstalled: true as const, module_id: module.module_id, ...(warning ? { warning } : {}) };
}

/**
 * The installation row a toggle or config change works on. A core module without one is
 * installed implicitly, so it gets its row now; a marketplace module without one is 404.
 */
async function ensureInstallation(
  db: Queryable,
  module: ModuleRow,
  communityId: number,
  userKey: string,
  now: Date,
) {
  const existing = await installationOf(db, module.id, communityId);
  if (existing) return existing;
  if (!module.is_core) throw new NotFoundError('Module is not installed in this community');
  return db
    .insertInto('module_installations')
    .values({
      module_id: module.id,
      community_id: communityId,
      installed_version: module.version,
      is_enabled: true,
      config: '{}',
      installed_by: userKey,
      installed_at: now,
      last_updated: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Changes the community's installation row of a module (see ensureInstallation) and stamps it. */
async function updateInstallation(
  db: Queryable,
  module: ModuleRow,
  input: { communityId: number; userKey: string },
  now: Date,
  changes: Updateable<ModuleInstallationsTable>,
) {
  const inst = await ensureInstallation(db, module, input.communityId, input.userKey, now);
  await db
    .updateTable('module_installations')
    .set({ ...changes, last_updated: now })
    .where('id', '=', inst.id)
    .execute();
}

export async function toggleModule(
  deps: MarketplaceDeps,
  input: { moduleId: string; communityId: number; userKey: string; enabled: boolean },
) {
  const now = deps.clock.now();
  const module = await findModuleToChange(deps.db, input.moduleId);
  await deps.db.transaction().execute(async (trx) => {
    await updateInstallation(trx, module, input, now, { is_enabled: input.enabled });
    await queueSync(trx, input.communityId, module.id, now);
  });
  deps.logger.audit({
    action: input.enabled ? 'module_enabled' : 'module_disabled',
    user: input.userKey,
    community: String(input.communityId),
    result: 'SUCCESS',
    module_id: module.module_id,
  });
  const warning = await runQueuedSync(deps, input.communityId, module.id);
  return { module_id: module.module_id, enabled: input.enabled, ...(warning ? { warning } : {}) };
}

export async function setModuleConfig(
  deps: MarketplaceDeps,
  input: { moduleId: string; communityId: number; userKey: string; config: Record<string, unknown> },
) {
  const now = deps.clock.now();
  const module = await findModuleToChange(deps.db, input.moduleId);
  await deps.db.transaction().execute(async (trx) => {
    await updateInstallation(trx, module, input, now, { config: JSON.stringify(input.config) });
  });
  // The config may hold a module's credentials: the audit line names the keys only.
  deps.logger.audit({
    action: 'module_configured',
    user: input.userKey,
    community: String(input.communityId),
    result: 'SUCCESS',
    module_id: module.module_id,
    config_keys: Object.keys(input.config).slice(0, 50),
  });
  return { module_id: module.module_id, config: input.config };
}

/** §6.2 effective module set, with each module's installation. */
export async function communityModules(db: Queryable, communityId: number) {
  const rows = await listedModules(db)
    .leftJoin('module_installations as i', (j) =>
      j.onRef('i.module_id', '=', 'm.id').on('i.community_id', '=', communityId),
    )
    .select([
      'i.installed_version',
      'i.is_enabled',
      'i.installed_at',
      'i.usage_count',
      'i.last_used',
      'i.config',
    ])
    .where((eb) =>
      eb.or([
        eb.and([eb('m.is_core', '=', true), eb.or([eb('i.id', 'is', null), eb('i.is_enabled', '=', true)])]),
        eb.and([eb('m.is_core', '=', false), eb('i.is_enabled', '=', true)]),
      ]),
    )
    .orderBy('m.is_core', 'desc')
    .orderBy('m.module_id')
    .execute();
  const modules = rows.map((r) => ({
    ...moduleView(r),
    is_core: r.is_core,
    installation: {
      version: r.installed_version ?? r.version,
      enabled: true,
      installed_at: r.installed_at ? new Date(r.installed_at).toISOString() : null,
      usage_count: r.usage_count ?? 0,
      last_used: r.last_used ? new Date(r.last_used).toISOString() : null,
      config: (r.config as Record<string, unknown> | null) ?? {},
    },
  }));
  return { community_id: communityId, modules, total: modules.length };
}
