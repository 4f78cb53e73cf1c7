import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<unknown, string, string>;
/** A jsonb column with a default: optional on insert. */
type JsonWithDefault = ColumnType<unknown, string | undefined, string>;

export interface AuthUserTable {
  id: Generated<number>;
  username: string;
  email: string | null;
  /** scrypt hash (`scrypt$N$r$p$salt$hash`); null = no usable password. */
  password_hash: string | null;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  primary_platform: string | null;
  is_active: Generated<boolean>;
  must_change_password: Generated<boolean>;
  temp_password_expires_at: Timestamp | null;
  created_by_command: Generated<boolean>;
  last_login_at: Timestamp | null;
  login_count: Generated<number>;
  metadata: JsonWithDefault;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuthRoleTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  permissions: Json;
  created_at: Generated<Timestamp>;
}

export interface AuthUserRolesTable {
  user_id: number;
  role_id: number;
  assigned_at: Timestamp;
  assigned_by: number | null;
}

export interface PlatformIdentitiesTable {
  id: Generated<number>;
  user_id: number;
  platform: string;
  platform_id: string;
  platform_username: string;
  is_verified: boolean;
  verified_at: Timestamp | null;
  verification_method: string;
  metadata: JsonWithDefault;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityVerificationsTable {
  id: Generated<number>;
  user_id: number;
  source_platform: string | null;
  source_username: string | null;
  target_platform: string;
  target_username: string;
  target_platform_id: string | null;
  verification_code: string;
  status: string;
  attempts: Generated<number>;
  resend_count: Generated<number>;
  delivery_status: string;
  verified_at: Timestamp | null;
  last_sent_at: Timestamp;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface UserApiKeysTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  api_key_hash: string;
  is_active: Generated<boolean>;
  last_used_at: Timestamp | null;
  usage_count: Generated<number>;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  regenerated_at: Timestamp | null;
  permissions: JsonWithDefault;
  metadata: JsonWithDefault;
}

export interface IdentityActivityTable {
  id: Generated<number>;
  user_id: number | null;
  action: string;
  platform: string | null;
  platform_username: string | null;
  ip_address: string | null;
  user_agent: string | null;
  success: boolean;
  error_message: string | null;
  metadata: JsonWithDefault;
  created_at: Timestamp;
}

export interface OauthUserCacheTable {
  id: Generated<number>;
  user_id: number;
  provider: string;
  provider_user_id: string;
  provider_username: string | null;
  provider_email: string | null;
  provider_display_name: string | null;
  provider_avatar_url: string | null;
  raw_user_data: Json;
  last_updated: Timestamp;
  is_active: Generated<boolean>;
}

/** Outbox of contracts §14 merge notifications: one row per subscriber until it answers 2xx. */
export interface UserMergeNotificationsTable {
  id: Generated<number>;
  from_uid: string;
  into_uid: string;
  identities: Json;
  subscriber: string;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
}

export interface IdentityDB {
  auth_user: AuthUserTable;
  auth_role: AuthRoleTable;
  auth_user_roles: AuthUserRolesTable;
  platform_identities: PlatformIdentitiesTable;
  identity_verifications: IdentityVerificationsTable;
  user_api_keys: UserApiKeysTable;
  identity_activity: IdentityActivityTable;
  oauth_user_cache: OauthUserCacheTable;
  user_merge_notifications: UserMergeNotificationsTable;
}

export type IdentityDb = Kysely<IdentityDB> | Transaction<IdentityDB>;
