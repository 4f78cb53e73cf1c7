import { sql, type Kysely, type Migration } from 'kysely';
import { ACCOUNT_ROLES } from '../account-roles.js';

const now = sql`now()`;
const emptyObject = sql`'{}'::jsonb`;

/**
 * core-and-admin §3.1. libs/core reads `user_api_keys` (with `permissions`), `auth_user`,
 * `auth_user_roles` and `auth_role` read-only, so those names and columns are part of the contract.
 */
export const migrations: Record<string, Migration> = {
  '20251120000000_identity_tables': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('auth_user')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('username', 'varchar(128)', (c) => c.notNull())
        .addColumn('email', 'varchar(320)')
        .addColumn('password_hash', 'text')
        .addColumn('first_name', 'varchar(128)')
        .addColumn('last_name', 'varchar(128)')
        .addColumn('display_name', 'varchar(128)')
        .addColumn('primary_platform', 'varchar(20)')
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('must_change_password', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('temp_password_expires_at', 'timestamptz')
        .addColumn('created_by_command', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('last_login_at', 'timestamptz')
        .addColumn('login_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('auth_user_username_uq')
        .on('auth_user')
        .expression(sql`lower(username)`)
        .unique()
        .execute();
      await db.schema
        .createIndex('auth_user_email_uq')
        .on('auth_user')
        .expression(sql`lower(email)`)
        .unique()
        .execute();

      await db.schema
        .createTable('auth_role')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('description', 'text')
        .addColumn('permissions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createTable('auth_user_roles')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('auth_user.id').onDelete('cascade'))
        .addColumn('role_id', 'integer', (c) => c.notNull().references('auth_role.id').onDelete('cascade'))
        .addColumn('assigned_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('assigned_by', 'integer', (c) => c.references('auth_user.id'))
        .addPrimaryKeyConstraint('auth_user_roles_pk', ['user_id', 'role_id'])
        .execute();
      for (const role of ACCOUNT_ROLES) {
        await db
          .insertInto('auth_role')
          .values({
            name: role.name,
            description: role.description,
            permissions: JSON.stringify(role.permissions),
          })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
      }

      await db.schema
        .createTable('platform_identities')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('auth_user.id'))
        .addColumn('platform', 'varchar(20)', (c) => c.notNull())
        .addColumn('platform_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('platform_username', 'varchar(128)', (c) => c.notNull())
        .addColumn('is_verified', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('verified_at', 'timestamptz')
        .addColumn('verification_method', 'varchar(20)', (c) => c.notNull())
        .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addUniqueConstraint('platform_identities_user_platform_uq', ['user_id', 'platform'])
        .execute();
      await db.schema
        .createIndex('platform_identities_verified_uq')
        .on('platform_identities')
        .columns(['platform', 'platform_id'])
        .unique()
        .where(sql.ref('is_verified'), '=', true)
        .execute();
      await db.schema
        .createIndex('platform_identities_user_idx')
        .on('platform_identities')
        .column('user_id')
        .execute();

      await db.schema
        .createTable('identity_verifications')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('auth_user.id'))
        .addColumn('source_platform', 'varchar(20)')
        .addColumn('source_username', 'varchar(128)')
        .addColumn('target_platform', 'varchar(20)', (c) => c.notNull())
        .addColumn('target_username', 'varchar(128)', (c) => c.notNull())
        .addColumn('target_platform_id', 'varchar(64)')
        .addColumn('verification_code', 'varchar(10)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('resend_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('delivery_status', 'varchar(16)', (c) => c.notNull().defaultTo('queued'))
        .addColumn('verified_at', 'timestamptz')
        .addColumn('last_sent_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('identity_verifications_status_expires_idx')
        .on('identity_verifications')
        .columns(['status', 'expires_at'])
        .execute();
      await db.schema
        .createIndex('identity_verifications_one_pending_uq')
        .on('identity_verifications')
        .columns(['user_id', 'target_platform'])
        .unique()
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      await db.schema
        .createIndex('identity_verifications_target_idx')
        .on('identity_verifications')
        .columns(['target_platform', 'status'])
        .expression(sql`lower(target_username)`)
        .execute();

      await db.schema
        .createTable('user_api_keys')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('auth_user.id'))
        .addColumn('name', 'varchar(128)', (c) => c.notNull())
        .addColumn('api_key_hash', 'char(64)', (c) => c.notNull().unique())
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('last_used_at', 'timestamptz')
        .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('expires_at', 'timestamptz')
        .addColumn('revoked_at', 'timestamptz')
        .addColumn('regenerated_at', 'timestamptz')
        .addColumn('permissions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
        .execute();
      await db.schema
        .createIndex('user_api_keys_user_active_idx')
        .on('user_api_keys')
        .columns(['user_id', 'is_active'])
        .execute();

      await db.schema
        .createTable('identity_activity')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('user_id', 'integer')
        .addColumn('action', 'varchar(64)', (c) => c.notNull())
        .addColumn('platform', 'varchar(20)')
        .addColumn('platform_username', 'varchar(128)')
        .addColumn('ip_address', 'varchar(64)')
        .addColumn('user_agent', 'varchar(512)')
        .addColumn('success', 'boolean', (c) => c.notNull())
        .addColumn('error_message', 'text')
        .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('identity_activity_user_created_idx')
        .on('identity_activity')
        .columns(['user_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('oauth_user_cache')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('auth_user.id'))
        .addColumn('provider', 'varchar(20)', (c) => c.notNull())
        .addColumn('provider_user_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('provider_username', 'varchar(128)')
        .addColumn('provider_email', 'varchar(320)')
        .addColumn('provider_display_name', 'varchar(128)')
        .addColumn('provider_avatar_url', 'text')
        .addColumn('raw_user_data', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
        .addColumn('last_updated', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addUniqueConstraint('oauth_user_cache_provider_uq', ['provider', 'provider_user_id'])
        .execute();

      await db.schema
        .createTable('user_merge_notifications')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('from_uid', 'varchar(32)', (c) => c.notNull())
        .addColumn('into_uid', 'varchar(32)', (c) => c.notNull())
        .addColumn('identities', 'jsonb', (c) => c.notNull())
        .addColumn('subscriber', 'varchar(64)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_error', 'varchar(300)')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('delivered_at', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('user_merge_notifications_due_idx')
        .on('user_merge_notifications')
        .columns(['status', 'next_attempt_at'])
        .execute();
    },
  },
};
