import { sql, type Kysely, type Migration } from 'kysely';
import { CORE_MODULES, SEED_CATEGORIES } from '../core-catalogue.js';

/** core-and-admin §6.1, plus the router-sync queue (§6.2: a failed sync is retried, never lost). */
/** Raw SQL does not get Kysely's schema plugin: name the service schema explicitly. */
const t = (table: string) => sql.table(`marketplace.${table}`);

export const migrations: Record<string, Migration> = {
  '20251120000000_marketplace_tables': {
    async up(db: Kysely<any>) {
      await sql`
        create table ${t('module_categories')} (
          id serial primary key,
          name varchar(50) not null unique,
          display_name varchar(100) not null,
          description text,
          icon varchar(100),
          parent_category int references ${t('module_categories')}(id),
          sort_order int not null default 0,
          is_active boolean not null default true,
          created_at timestamptz not null default now()
        )`.execute(db);

      await sql`
        create table ${t('marketplace_modules')} (
          id serial primary key,
          module_id varchar(100) not null unique,
          name varchar(100) not null,
          display_name varchar(200) not null,
          description text,
          long_description text,
          version varchar(32) not null,
          author varchar(200) not null,
          author_email varchar(320),
          website text,
          repository text,
          license varchar(50) not null default 'MIT',
          category varchar(50) not null,
          tags text[] not null default '{}',
          icon_url text,
          screenshots jsonb not null default '[]'::jsonb,
          is_core boolean not null default false,
          is_active boolean not null default true,
          is_featured boolean not null default false,
          is_verified boolean not null default false,
          download_count int not null default 0,
          rating_average numeric(3,2) not null default 0,
          rating_count int not null default 0,
          price numeric(10,2) not null default 0,
          requires_approval boolean not null default false,
          min_waddlebot_version varchar(32),
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          published_at timestamptz
        )`.execute(db);
      await sql`create index marketplace_modules_name_category_active_idx
        on ${t('marketplace_modules')} (name, category, is_active)`.execute(db);
      await sql`create index marketplace_modules_featured_rating_idx
        on ${t('marketplace_modules')} (is_featured, rating_average) where is_active`.execute(db);

      await sql`
        create table ${t('module_versions')} (
          id serial primary key,
          module_id int not null references ${t('marketplace_modules')}(id),
          version varchar(32) not null,
          changelog text,
          download_url text,
          checksum varchar(128),
          file_size bigint,
          installation_instructions text,
          requirements jsonb not null default '{}'::jsonb,
          compatibility jsonb not null default '{}'::jsonb,
          is_stable boolean not null default true,
          is_latest boolean not null default false,
          download_count int not null default 0,
          created_at timestamptz not null default now(),
          unique (module_id, version)
        )`.execute(db);
      await sql`create unique index module_versions_one_latest_uq
        on ${t('module_versions')} (module_id) where is_latest`.execute(db);

      await sql`
        create table ${t('module_commands')} (
          id serial primary key,
          module_id int not null references ${t('marketplace_modules')}(id),
          command varchar(64) not null,
          description text not null default '',
          usage text not null default '',
          examples jsonb not null default '[]'::jsonb,
          location_url text not null,
          location varchar(16) not null default 'internal',
          type varchar(16) not null default 'lambda',
          method varchar(8) not null default 'POST',
          timeout int not null default 30,
          rate_limit int not null default 60,
          auth_required boolean not null default false,
          permissions_required jsonb not null default '[]'::jsonb,
          parameters jsonb not null default '[]'::jsonb,
          is_active boolean not null default true,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index module_commands_module_idx on ${t('module_commands')} (module_id)`.execute(db);

      await sql`
        create table ${t('module_installations')} (
          id serial primary key,
          module_id int not null references ${t('marketplace_modules')}(id),
          community_id int not null,
          installed_version varchar(32) not null,
          is_enabled boolean not null default true,
          config jsonb not null default '{}'::jsonb,
          installed_by varchar(256) not null,
          installed_at timestamptz not null,
          last_updated timestamptz not null,
          usage_count int not null default 0,
          last_used timestamptz,
          unique (module_id, community_id)
        )`.execute(db);
      await sql`create index module_installations_community_enabled_idx
        on ${t('module_installations')} (community_id, is_enabled)`.execute(db);

      await sql`
        create table ${t('module_reviews')} (
          id serial primary key,
          module_id int not null references ${t('marketplace_modules')}(id),
          community_id int not null,
          user_id varchar(256) not null,
          user_name varchar(200) not null,
          rating smallint not null check (rating between 1 and 5),
          title varchar(200),
          review_text varchar(5000),
          is_verified_purchase boolean not null default false,
          helpful_votes int not null default 0,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          unique (module_id, community_id, user_id)
        )`.execute(db);

      await sql`
        create table ${t('module_downloads')} (
          id serial primary key,
          module_id int not null,
          version varchar(32) not null,
          community_id int not null,
          user_id varchar(256),
          ip_address varchar(64),
          user_agent text,
          download_type varchar(16) not null,
          created_at timestamptz not null
        )`.execute(db);

      await sql`
        create table ${t('community_subscriptions')} (
          id serial primary key,
          community_id int not null unique,
          subscription_type varchar(16) not null default 'free',
          subscription_status varchar(16) not null default 'active',
          subscription_start timestamptz not null,
          subscription_end timestamptz not null,
          auto_renew boolean not null default true,
          payment_method varchar(50),
          payment_id varchar(200),
          last_payment_date timestamptz,
          next_payment_date timestamptz,
          amount_paid numeric(10,2),
          currency varchar(3) not null default 'USD',
          grace_period_end timestamptz not null,
          cancellation_reason text,
          created_at timestamptz not null,
          updated_at timestamptz not null
        )`.execute(db);
      await sql`create index community_subscriptions_end_status_idx
        on ${t('community_subscriptions')} (subscription_end, subscription_status)`.execute(db);

      await sql`
        create table ${t('community_payments')} (
          id serial primary key,
          community_id int not null,
          payment_id varchar(200) not null,
          payment_method varchar(50) not null,
          amount numeric(10,2) not null,
          currency varchar(3) not null default 'USD',
          payment_status varchar(16) not null default 'completed',
          payment_date timestamptz not null,
          description text,
          metadata jsonb not null default '{}'::jsonb,
          created_at timestamptz not null
        )`.execute(db);
      await sql`create index community_payments_community_date_idx
        on ${t('community_payments')} (community_id, payment_date)`.execute(db);

      // A (community, module) pair whose router enablement may not match the installations yet.
      // The desired state is recomputed when the job runs, so a queued job is never stale.
      await sql`
        create table ${t('router_sync_queue')} (
          community_id int not null,
          module_id int not null references ${t('marketplace_modules')}(id),
          generation int not null default 1,
          attempts int not null default 0,
          last_error varchar(200),
          queued_at timestamptz not null,
          primary key (community_id, module_id)
        )`.execute(db);

      for (const [i, c] of SEED_CATEGORIES.entries()) {
        await sql`insert into ${t('module_categories')} (name, display_name, description, icon, sort_order)
          values (${c.name}, ${c.display_name}, ${c.description}, ${c.icon}, ${i + 1})`.execute(db);
      }
      // Core modules ship with WaddleBot: published, installed everywhere unless a community turns them off.
      for (const m of CORE_MODULES) {
        await sql`insert into ${t('marketplace_modules')}
            (module_id, name, display_name, description, version, author, category, tags, is_core,
             is_verified, published_at)
          values (${m.module_id}, ${m.module_id}, ${m.display_name}, ${m.description}, '1.0.0',
            'WaddleBot', ${m.category},
            array(select jsonb_array_elements_text(${JSON.stringify(m.tags)}::jsonb)),
            true, true, now())`.execute(db);
      }
    },
  },
};
