import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string | undefined, string>;

export interface CommandsTable {
  id: Generated<number>;
  command: string;
  prefix: string;
  community_id: number | null;
  description: string | null;
  usage: string | null;
  category: Generated<string>;
  location: string;
  type: string;
  location_url: string;
  method: Generated<string>;
  timeout: Generated<number>;
  headers: Json<Record<string, string>>;
  rate_limit: Generated<number>;
  required_permission: Generated<string>;
  enabled_by_default: boolean;
  is_active: Generated<boolean>;
  module_type: string | null;
  module_id: string | null;
  module_name: string | null;
  version: Generated<string>;
  trigger_type: Generated<string>;
  event_types: Json<string[]>;
  priority: Generated<number>;
  execution_mode: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EntitiesTable {
  id: Generated<number>;
  entity_id: string;
  platform: string;
  server_id: string;
  channel_id: Generated<string>;
  owner: Generated<string>;
  is_active: Generated<boolean>;
  config: Json<Record<string, unknown>> | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CommandPermissionsTable {
  id: Generated<number>;
  command_id: number;
  entity_id: number;
  is_enabled: Generated<boolean>;
  config: Json<Record<string, unknown>> | null;
  permissions: Json<string[]> | null;
  usage_count: Generated<number>;
  last_used: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CommandExecutionsTable {
  id: Generated<number>;
  execution_id: string;
  session_id: string | null;
  command_id: number | null;
  entity_id: string;
  platform: string;
  trigger_type: string;
  user_id: string;
  user_name: string | null;
  message_content: string | null;
  args: Json<string[]> | null;
  location_url: string | null;
  request_payload: Json | null;
  reply_context: Json<Record<string, unknown>> | null;
  response_status: number | null;
  response_data: Json | null;
  execution_time_ms: number | null;
  error_message: string | null;
  retry_count: Generated<number>;
  status: Generated<string>;
  created_at: Timestamp;
  completed_at: Date | null;
}

export interface RateLimitsTable {
  id: Generated<number>;
  command_id: number;
  entity_id: number;
  user_id: string;
  window_start: Date;
  request_count: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StringmatchTable {
  id: Generated<number>;
  string: string;
  match_type: Generated<string>;
  case_sensitive: Generated<boolean>;
  enabled_entity_ids: Json<string[]>;
  action: string;
  command_to_execute: string | null;
  command_parameters: Json<string[]>;
  webhook_url: string | null;
  warning_message: string | null;
  block_message: string | null;
  priority: Generated<number>;
  is_active: Generated<boolean>;
  match_count: Generated<number>;
  last_matched: Date | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ModuleResponsesTable {
  id: Generated<number>;
  execution_id: string;
  session_id: string | null;
  module_name: string | null;
  success: boolean;
  response_action: string | null;
  response_data: Json | null;
  chat_message: string | null;
  media_type: string | null;
  media_url: string | null;
  media_data: Json | null;
  ticker_text: string | null;
  ticker_duration: number | null;
  form_title: string | null;
  form_description: string | null;
  form_fields: Json | null;
  form_submit_url: string | null;
  form_submit_method: Generated<string>;
  form_callback_url: string | null;
  content_type: string | null;
  content: string | null;
  duration: number | null;
  style: Json | null;
  error_message: string | null;
  processing_time_ms: number | null;
  created_at: Timestamp;
}

export interface ServiceAccountsTable {
  id: Generated<number>;
  account_name: string;
  account_type: string;
  platform: string | null;
  api_key_hash: string;
  api_key_prefix: string;
  permissions: Json<string[]>;
  is_active: Generated<boolean>;
  last_used: Date | null;
  usage_count: Generated<number>;
  rate_limit: Generated<number>;
  expires_at: Date | null;
  created_by: string | null;
  description: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiUsageTable {
  id: Generated<number>;
  service_account_id: number;
  endpoint: string;
  method: string;
  ip_address: string | null;
  user_agent: string | null;
  response_status: number;
  response_time_ms: number;
  request_size: number | null;
  response_size: number | null;
  timestamp: Timestamp;
}

export interface CoordinationTable {
  id: Generated<number>;
  platform: string;
  server_id: string;
  channel_id: Generated<string>;
  entity_id: string;
  claimed_by: string | null;
  claimed_at: Date | null;
  status: Generated<string>;
  is_live: Generated<boolean>;
  live_since: Date | null;
  viewer_count: Generated<number>;
  last_activity: Date | null;
  last_check: Date | null;
  last_checkin: Date | null;
  claim_expires: Date | null;
  heartbeat_interval: Generated<number>;
  error_count: Generated<number>;
  metadata: Json<Record<string, unknown>> | null;
  priority: Generated<number>;
  max_containers: Generated<number>;
  config: Json<Record<string, unknown>> | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EntityRolesTable {
  id: Generated<number>;
  entity_id: string;
  user_id: string;
  role: string;
  permissions: Json<string[]>;
  assigned_by: string | null;
  assigned_at: Timestamp;
  is_active: Generated<boolean>;
}

export interface RbacPermissionsTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  category: Generated<string>;
  is_active: Generated<boolean>;
}

export interface RouterDB {
  commands: CommandsTable;
  entities: EntitiesTable;
  command_permissions: CommandPermissionsTable;
  command_executions: CommandExecutionsTable;
  rate_limits: RateLimitsTable;
  stringmatch: StringmatchTable;
  module_responses: ModuleResponsesTable;
  service_accounts: ServiceAccountsTable;
  api_usage: ApiUsageTable;
  coordination: CoordinationTable;
  entity_roles: EntityRolesTable;
  rbac_permissions: RbacPermissionsTable;
}

/** The community service's tables the router reads (core-and-admin §4.1; read-only). */
export interface CommunityReadDB {
  entity_groups: {
    id: number;
    community_id: number;
    entity_ids: unknown;
    is_active: boolean;
    platform: string;
    server_id: string;
  };
  community_rbac: {
    id: number;
    community_id: number;
    user_id: string;
    role: string;
    permissions: unknown;
    is_active: boolean;
  };
  community_memberships: { id: number; community_id: number; user_id: string; is_active: boolean };
}
