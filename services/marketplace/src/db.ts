import type { ColumnType, Generated, Selectable } from 'kysely';

/** jsonb columns are written as JSON text (pg would send a JS array as a Postgres array). */
type Json<T> = ColumnType<T, string | undefined, string>;
/** numeric columns come back as strings; written as numbers. */
type Numeric = ColumnType<string, number | undefined, number>;
type Created = ColumnType<Date, Date | undefined, never>;

export interface MarketplaceModulesTable {
  id: Generated<number>;
  module_id: string;
  name: string;
  display_name: string;
  description: string | null;
  long_description: string | null;
  version: string;
  author: string;
  author_email: string | null;
  website: string | null;
  repository: string | null;
  license: Generated<string>;
  category: string;
  /** text[]: written through `textArray()`, read through `to_jsonb` (both drivers agree on jsonb). */
  tags: ColumnType<string[], never, never>;
  icon_url: string | null;
  screenshots: Json<unknown[]>;
  is_core: Generated<boolean>;
  is_active: Generated<boolean>;
  is_featured: Generated<boolean>;
  is_verified: Generated<boolean>;
  download_count: Generated<number>;
  rating_average: Numeric;
  rating_count: Generated<number>;
  price: Numeric;
  requires_approval: Generated<boolean>;
  min_waddlebot_version: string | null;
  created_at: Created;
  updated_at: ColumnType<Date, Date, Date>;
  published_at: Date | null;
}

export interface ModuleVersionsTable {
  id: Generated<number>;
  module_id: number;
  version: string;
  changelog: string | null;
  download_url: string | null;
  checksum: string | null;
  file_size: ColumnType<string | null, number | null | undefined, number | null>;
  installation_instructions: string | null;
  requirements: Json<Record<string, unknown>>;
  compatibility: Json<Record<string, unknown>>;
  is_stable: Generated<boolean>;
  is_latest: Generated<boolean>;
  download_count: Generated<number>;
  created_at: Created;
}

export interface ModuleCommandsTable {
  id: Generated<number>;
  module_id: number;
  command: string;
  description: Generated<string>;
  usage: Generated<string>;
  examples: Json<string[]>;
  location_url: string;
  location: 'internal' | 'community';
  type: 'container' | 'lambda' | 'openwhisk' | 'webhook';
  method: 'GET' | 'POST' | 'PUT';
  timeout: Generated<number>;
  rate_limit: Generated<number>;
  auth_required: Generated<boolean>;
  permissions_required: Json<string[]>;
  parameters: Json<unknown[]>;
  is_active: Generated<boolean>;
  created_at: Created;
}

export interface ModuleInstallationsTable {
  id: Generated<number>;
  module_id: number;
  community_id: number;
  installed_version: string;
  is_enabled: boolean;
  config: Json<Record<string, unknown>>;
  installed_by: string;
  installed_at: ColumnType<Date, Date, Date>;
  last_updated: ColumnType<Date, Date, Date>;
  usage_count: Generated<number>;
  last_used: Date | null;
}

export interface ModuleReviewsTable {
  id: Generated<number>;
  module_id: number;
  community_id: number;
  user_id: string;
  user_name: string;
  rating: number;
  title: string | null;
  review_text: string | null;
  is_verified_purchase: Generated<boolean>;
  helpful_votes: Generated<number>;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
}

export interface ModuleCategoriesTable {
  id: Generated<number>;
  name: string;
  display_name: string;
  description: string | null;
  icon: string | null;
  parent_category: number | null;
  sort_order: Generated<number>;
  is_active: Generated<boolean>;
  created_at: Created;
}

export interface ModuleDownloadsTable {
  id: Generated<number>;
  module_id: number;
  version: string;
  community_id: number;
  user_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  download_type: 'install' | 'update' | 'reinstall';
  created_at: Date;
}

export type SubscriptionStatus = 'active' | 'expired' | 'cancelled' | 'suspended';
export type SubscriptionType = 'free' | 'premium' | 'enterprise';

export interface CommunitySubscriptionsTable {
  id: Generated<number>;
  community_id: number;
  subscription_type: SubscriptionType;
  subscription_status: SubscriptionStatus;
  subscription_start: Date;
  subscription_end: Date;
  auto_renew: boolean;
  payment_method: string | null;
  payment_id: string | null;
  last_payment_date: Date | null;
  next_payment_date: Date | null;
  amount_paid: ColumnType<string | null, number | null | undefined, number | null>;
  currency: string;
  grace_period_end: Date;
  cancellation_reason: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
}

export interface CommunityPaymentsTable {
  id: Generated<number>;
  community_id: number;
  payment_id: string;
  payment_method: string;
  amount: Numeric;
  currency: string;
  payment_status: 'pending' | 'completed' | 'failed' | 'refunded';
  payment_date: Date;
  description: string | null;
  metadata: Json<Record<string, unknown>>;
  created_at: Date;
}

export interface RouterSyncQueueTable {
  community_id: number;
  module_id: number;
  generation: Generated<number>;
  attempts: Generated<number>;
  last_error: string | null;
  queued_at: Date;
}

export interface MarketplaceDB {
  marketplace_modules: MarketplaceModulesTable;
  module_versions: ModuleVersionsTable;
  module_commands: ModuleCommandsTable;
  module_installations: ModuleInstallationsTable;
  module_reviews: ModuleReviewsTable;
  module_categories: ModuleCategoriesTable;
  module_downloads: ModuleDownloadsTable;
  community_subscriptions: CommunitySubscriptionsTable;
  community_payments: CommunityPaymentsTable;
  router_sync_queue: RouterSyncQueueTable;
}

export type ModuleRow = Selectable<MarketplaceModulesTable>;
export type CommandRow = Selectable<ModuleCommandsTable>;
export type SubscriptionRow = Selectable<CommunitySubscriptionsTable>;
export type ReviewRow = Selectable<ModuleReviewsTable>;
