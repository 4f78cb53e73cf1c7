import { sql, type Kysely, type Migration } from 'kysely';
import { ALL_PERMISSIONS } from '@waddlebot/core';

/** Categories of the seeded permission names (router-and-receivers §3.6). */
function permissionCategory(name: string): string {
  const head = name.split('.')[0]!;
  if (head === 'users') return 'moderation';
  return ['chat', 'commands', 'community', 'reputation'].includes(head) ? head : 'general';
}

const now = sql`now()`;

export const migrations: Record<string, Migration> = {
  '20251120000000_router_init': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('commands')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('command', 'varchar(64)', (c) => c.notNull())
        .addColumn('prefix', 'char(1)', (c) => c.notNull())
        .addColumn('community_id', 'integer')
        .addColumn('description', 'text')
        .addColumn('usage', 'text')
        .addColumn('category', 'varchar(64)', (c) => c.notNull().defaultTo('general'))
        .addColumn('location', 'varchar(16)', (c) => c.notNull().defaultTo('internal'))
        .addColumn('type', 'varchar(16)', (c) => c.notNull().defaultTo('container'))
        .addColumn('location_url', 'text', (c) => c.notNull())
        .addColumn('method', 'varchar(8)', (c) => c.notNull().defaultTo('POST'))
        .addColumn('timeout', 'integer', (c) => c.notNull().defaultTo(30))
        .addColumn('headers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('rate_limit', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('required_permission', 'varchar(64)', (c) => c.notNull().defaultTo('commands.basic'))
        .addColumn('enabled_by_default', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('module_type', 'varchar(16)')
        .addColumn('module_id', 'varchar(128)')
        .addColumn('module_name', 'varchar(128)')
        .addColumn('version', 'varchar(32)', (c) => c.notNull().defaultTo('1.0'))
        .addColumn('trigger_type', 'varchar(8)', (c) => c.notNull().defaultTo('command'))
        .addColumn('event_types', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(100))
        .addColumn('execution_mode', 'varchar(12)', (c) => c.notNull().defaultTo('sequential'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await sql`create unique index commands_prefix_command_community_uq on router.commands (prefix, command, community_id) nulls not distinct`.execute(
        db,
      );
      await sql`create index commands_active_lookup_idx on router.commands (prefix, command) where is_active`.execute(
        db,
      );
      await sql`create index commands_event_types_gin on router.commands using gin (event_types)`.execute(db);

      await db.schema
        .createTable('entities')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('entity_id', 'varchar(400)', (c) => c.notNull().unique())
        .addColumn('platform', 'varchar(16)', (c) => c.notNull())
        .addColumn('server_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('channel_id', 'varchar(128)', (c) => c.notNull().defaultTo(''))
        .addColumn('owner', 'varchar(256)', (c) => c.notNull().defaultTo('system'))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('config', 'jsonb')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('entities_platform_server_idx')
        .on('entities')
        .columns(['platform', 'server_id'])
        .execute();

      await db.schema
        .createTable('command_permissions')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('command_id', 'integer', (c) => c.notNull().references('commands.id').onDelete('cascade'))
        .addColumn('entity_id', 'integer', (c) => c.notNull().references('entities.id').onDelete('cascade'))
        .addColumn('is_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('config', 'jsonb')
        .addColumn('permissions', 'jsonb')
        .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_used', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addUniqueConstraint('command_permissions_command_entity_uq', ['command_id', 'entity_id'])
        .execute();

      await db.schema
        .createTable('command_executions')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('execution_id', 'uuid', (c) => c.notNull().unique())
        .addColumn('session_id', 'uuid')
        .addColumn('command_id', 'integer', (c) => c.references('commands.id').onDelete('set null'))
        .addColumn('entity_id', 'varchar(400)', (c) => c.notNull())
        .addColumn('platform', 'varchar(16)', (c) => c.notNull())
        .addColumn('trigger_type', 'varchar(16)', (c) => c.notNull())
        .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('user_name', 'varchar(256)')
        .addColumn('message_content', 'text')
        .addColumn('args', 'jsonb')
        .addColumn('location_url', 'text')
        .addColumn('request_payload', 'jsonb')
        .addColumn('reply_context', 'jsonb')
        .addColumn('response_status', 'integer')
        .addColumn('response_data', 'jsonb')
        .addColumn('execution_time_ms', 'integer')
        .addColumn('error_message', 'text')
        .addColumn('retry_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('pending'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('completed_at', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('command_executions_created_idx')
        .on('command_executions')
        .column('created_at')
        .execute();
      await db.schema
        .createIndex('command_executions_entity_created_idx')
        .on('command_executions')
        .columns(['entity_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('rate_limits')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('command_id', 'integer', (c) => c.notNull())
        .addColumn('entity_id', 'integer', (c) => c.notNull().references('entities.id').onDelete('cascade'))
        .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('window_start', 'timestamptz', (c) => c.notNull())
        .addColumn('request_count', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addUniqueConstraint('rate_limits_window_uq', ['command_id', 'entity_id', 'user_id', 'window_start'])
        .execute();

      await db.schema
        .createTable('stringmatch')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('string', 'text', (c) => c.notNull())
        .addColumn('match_type', 'varchar(16)', (c) => c.notNull().defaultTo('exact'))
        .addColumn('case_sensitive', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('enabled_entity_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('action', 'varchar(16)', (c) => c.notNull())
        .addColumn('command_to_execute', 'varchar(64)')
        .addColumn('command_parameters', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('webhook_url', 'text')
        .addColumn('warning_message', 'text')
        .addColumn('block_message', 'text')
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(100))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('match_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_matched', 'timestamptz')
        .addColumn('created_by', 'varchar(256)')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await sql`create index stringmatch_priority_active_idx on router.stringmatch (priority) where is_active`.execute(
        db,
      );

      await db.schema
        .createTable('module_responses')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('execution_id', 'uuid', (c) => c.notNull())
        .addColumn('session_id', 'uuid')
        .addColumn('module_name', 'varchar(128)')
        .addColumn('success', 'boolean', (c) => c.notNull())
        .addColumn('response_action', 'varchar(16)')
        .addColumn('response_data', 'jsonb')
        .addColumn('chat_message', 'text')
        .addColumn('media_type', 'varchar(32)')
        .addColumn('media_url', 'text')
        .addColumn('media_data', 'jsonb')
        .addColumn('ticker_text', 'text')
        .addColumn('ticker_duration', 'integer')
        .addColumn('form_title', 'text')
        .addColumn('form_description', 'text')
        .addColumn('form_fields', 'jsonb')
        .addColumn('form_submit_url', 'text')
        .addColumn('form_submit_method', 'varchar(8)', (c) => c.notNull().defaultTo('POST'))
        .addColumn('form_callback_url', 'text')
        .addColumn('content_type', 'varchar(32)')
        .addColumn('content', 'text')
        .addColumn('duration', 'integer')
        .addColumn('style', 'jsonb')
        .addColumn('error_message', 'text')
        .addColumn('processing_time_ms', 'integer')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('module_responses_execution_idx')
        .on('module_responses')
        .column('execution_id')
        .execute();
      await db.schema
        .createIndex('module_responses_module_created_idx')
        .on('module_responses')
        .columns(['module_name', 'created_at'])
        .execute();

      await db.schema
        .createTable('service_accounts')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('account_name', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('account_type', 'varchar(16)', (c) => c.notNull())
        .addColumn('platform', 'varchar(16)')
        .addColumn('api_key_hash', 'char(64)', (c) => c.notNull().unique())
        .addColumn('api_key_prefix', 'varchar(12)', (c) => c.notNull())
        .addColumn('permissions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('last_used', 'timestamptz')
        .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rate_limit', 'integer', (c) => c.notNull().defaultTo(1000))
        .addColumn('expires_at', 'timestamptz')
        .addColumn('created_by', 'varchar(256)')
        .addColumn('description', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createTable('api_usage')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('service_account_id', 'integer', (c) =>
          c.notNull().references('service_accounts.id').onDelete('cascade'),
        )
        .addColumn('endpoint', 'varchar(400)', (c) => c.notNull())
        .addColumn('method', 'varchar(8)', (c) => c.notNull())
        .addColumn('ip_address', 'varchar(64)')
        .addColumn('user_agent', 'text')
        .addColumn('response_status', 'integer', (c) => c.notNull())
        .addColumn('response_time_ms', 'integer', (c) => c.notNull())
        .addColumn('request_size', 'integer')
        .addColumn('response_size', 'integer')
        .addColumn('timestamp', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('api_usage_account_time_idx')
        .on('api_usage')
        .columns(['service_account_id', 'timestamp'])
        .execute();

      await db.schema
        .createTable('coordination')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('platform', 'varchar(16)', (c) => c.notNull())
        .addColumn('server_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('channel_id', 'varchar(128)', (c) => c.notNull().defaultTo(''))
        .addColumn('entity_id', 'varchar(400)', (c) => c.notNull().unique())
        .addColumn('claimed_by', 'varchar(256)')
        .addColumn('claimed_at', 'timestamptz')
        .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('available'))
        .addColumn('is_live', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('live_since', 'timestamptz')
        .addColumn('viewer_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_activity', 'timestamptz')
        .addColumn('last_check', 'timestamptz')
        .addColumn('last_checkin', 'timestamptz')
        .addColumn('claim_expires', 'timestamptz')
        .addColumn('heartbeat_interval', 'integer', (c) => c.notNull().defaultTo(300))
        .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('metadata', 'jsonb')
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(100))
        .addColumn('max_containers', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('config', 'jsonb')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('coordination_platform_status_priority_idx')
        .on('coordination')
        .columns(['platform', 'status', 'priority'])
        .execute();
      await db.schema
        .createIndex('coordination_claimed_expires_idx')
        .on('coordination')
        .columns(['claimed_by', 'claim_expires'])
        .execute();

      await db.schema
        .createTable('entity_roles')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('entity_id', 'varchar(400)', (c) => c.notNull())
        .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('permissions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('assigned_by', 'varchar(256)')
        .addColumn('assigned_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .execute();
      await sql`create unique index entity_roles_active_uq on router.entity_roles (entity_id, user_id) where is_active`.execute(
        db,
      );

      await db.schema
        .createTable('rbac_permissions')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('description', 'text')
        .addColumn('category', 'varchar(32)', (c) => c.notNull().defaultTo('general'))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .execute();
      await db
        .insertInto('rbac_permissions')
        .values(
          [...ALL_PERMISSIONS, 'chat.delete'].map((name) => ({
            name,
            description: `Permission ${name}`,
            category: permissionCategory(name),
          })),
        )
        .execute();
    },
  },
  // User keys are `<platform>:<user_id>` with user ids of up to 256 characters (contracts §14).
  '20251201000000_router_user_key_width': {
    async up(db: Kysely<any>) {
      await sql`alter table router.rate_limits alter column user_id type varchar(300)`.execute(db);
      await sql`alter table router.entity_roles alter column user_id type varchar(300)`.execute(db);
    },
  },
};
