import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { ALL_PERMISSIONS } from '@waddlebot/core';
import { createTestRuntime, type TestRuntime } from '@waddlebot/core/testing';
import type { RouterDB } from '../src/db.js';
import { service } from '../src/service.js';

/** The router's tables and indexes as router-and-receivers §3.18 lists them. */
let rt: TestRuntime;
let db: Kysely<RouterDB>;

beforeAll(async () => {
  rt = await createTestRuntime();
  await rt.add(service);
  db = rt.db.database.forSchema<RouterDB>('router');
});
afterAll(async () => rt.close());

/** The columns without a database default. */
const minimalCommand = {
  prefix: '!',
  location: 'internal',
  type: 'container',
  location_url: 'http://127.0.0.1:9/x',
  enabled_by_default: true,
  headers: '{}',
  event_types: '[]',
};

async function indexDefs(): Promise<string[]> {
  const rows = await sql<{
    indexdef: string;
  }>`select indexdef from pg_indexes where schemaname = 'router'`.execute(rt.db.database.root);
  // One spelling for every engine: no schema qualifier, single spaces.
  return rows.rows.map((r) => r.indexdef.replace(/router\./g, '').replace(/\s+/g, ' '));
}

describe('§3.18 tables', () => {
  it('the router owns exactly its contracts §1 tables', async () => {
    const rows = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'router' and table_type = 'BASE TABLE'`.execute(rt.db.database.root);
    const names = rows.rows.map((r) => r.table_name).filter((n) => !n.startsWith('kysely_'));
    expect(names.sort()).toEqual(
      [
        'api_usage',
        'command_executions',
        'command_permissions',
        'commands',
        'coordination',
        'entities',
        'entity_roles',
        'module_responses',
        'rate_limits',
        'rbac_permissions',
        'service_accounts',
        'stringmatch',
      ].sort(),
    );
  });

  it('has the listed indexes', async () => {
    const defs = await indexDefs();
    const has = (pattern: RegExp) => expect(defs.some((d) => pattern.test(d))).toBe(true);
    has(/UNIQUE INDEX \S+ ON commands USING btree \(prefix, command, community_id\) NULLS NOT DISTINCT/);
    has(/ON commands USING btree \(prefix, command\) WHERE is_active/);
    has(/ON commands USING gin \(event_types\)/);
    has(/UNIQUE INDEX \S+ ON entities USING btree \(entity_id\)/);
    has(/ON entities USING btree \(platform, server_id\)/);
    has(/UNIQUE INDEX \S+ ON command_permissions USING btree \(command_id, entity_id\)/);
    has(/UNIQUE INDEX \S+ ON command_executions USING btree \(execution_id\)/);
    has(/ON command_executions USING btree \(created_at\)/);
    has(/ON command_executions USING btree \(entity_id, created_at\)/);
    has(/UNIQUE INDEX \S+ ON rate_limits USING btree \(command_id, entity_id, user_id, window_start\)/);
    has(/ON stringmatch USING btree \(priority\) WHERE is_active/);
    has(/ON module_responses USING btree \(execution_id\)/);
    has(/ON module_responses USING btree \(module_name, created_at\)/);
    has(/UNIQUE INDEX \S+ ON service_accounts USING btree \(account_name\)/);
    has(/UNIQUE INDEX \S+ ON service_accounts USING btree \(api_key_hash\)/);
    has(/ON api_usage USING btree \(service_account_id, "?timestamp"?\)/);
    has(/ON coordination USING btree \(platform, status, priority\)/);
    has(/ON coordination USING btree \(claimed_by, claim_expires\)/);
    has(/ON coordination USING btree \(entity_id\)/);
    has(/UNIQUE INDEX \S+ ON entity_roles USING btree \(entity_id, user_id\) WHERE is_active/);
    has(/UNIQUE INDEX \S+ ON rbac_permissions USING btree \(name\)/);
  });

  it('one global row per (prefix, command): NULL community ids do not make duplicates', async () => {
    const row = { ...minimalCommand, command: 'dup' };
    await db.insertInto('commands').values(row).execute();
    await expect(db.insertInto('commands').values(row).execute()).rejects.toThrow();
    await db
      .insertInto('commands')
      .values({ ...row, community_id: 3 })
      .execute();
    const rows = await db
      .selectFrom('commands')
      .select('community_id')
      .where('command', '=', 'dup')
      .execute();
    expect(rows.map((r) => r.community_id).sort()).toEqual([3, null]);
  });

  it('defaults: owner system, timeout 30, permission commands.basic, status pending', async () => {
    const entity = await db
      .insertInto('entities')
      .values({ entity_id: 'slack:T9:C9', platform: 'slack', server_id: 'T9', channel_id: 'C9' })
      .returning(['owner', 'is_active'])
      .executeTakeFirstOrThrow();
    expect(entity).toEqual({ owner: 'system', is_active: true });
    const command = await db
      .insertInto('commands')
      .values({ ...minimalCommand, command: 'defaults' })
      .returning([
        'timeout',
        'method',
        'rate_limit',
        'required_permission',
        'trigger_type',
        'priority',
        'execution_mode',
        'version',
        'category',
      ])
      .executeTakeFirstOrThrow();
    expect(command).toEqual({
      timeout: 30,
      method: 'POST',
      rate_limit: 0,
      required_permission: 'commands.basic',
      trigger_type: 'command',
      priority: 100,
      execution_mode: 'sequential',
      version: '1.0',
      category: 'general',
    });
  });

  it('rbac_permissions holds the contracts §4 names plus chat.delete, by category', async () => {
    const rows = await db.selectFrom('rbac_permissions').select(['name', 'category']).execute();
    expect(rows.map((r) => r.name).sort()).toEqual([...ALL_PERMISSIONS, 'chat.delete'].sort());
    expect(rows).toHaveLength(18);
    const category = Object.fromEntries(rows.map((r) => [r.name, r.category]));
    expect(category).toMatchObject({
      'chat.send': 'chat',
      'chat.delete': 'chat',
      'commands.admin': 'commands',
      'users.ban': 'moderation',
      'community.delete': 'community',
      'reputation.manage': 'reputation',
    });
  });
});
