import type { Kysely } from 'kysely';
import type { BrowserSourceDB } from './db.js';
import type { SourceType } from './source-types.js';

export interface PageSettings {
  enabled: boolean;
  theme: string;
  customCss: string | null;
}

/** browser_source_settings (§2.2): a switched-off type renders nothing; custom CSS is injected. */
export async function pageSettings(
  db: Kysely<BrowserSourceDB>,
  communityId: number,
  sourceType: SourceType,
): Promise<PageSettings> {
  const row = await db
    .selectFrom('browser_source_settings')
    .select(['ticker_enabled', 'media_enabled', 'general_enabled', 'theme', 'custom_css'])
    .where('community_id', '=', communityId)
    .executeTakeFirst();
  if (!row) return { enabled: true, theme: 'default', customCss: null };
  const enabled = { ticker: row.ticker_enabled, media: row.media_enabled, general: row.general_enabled }[
    sourceType
  ];
  return { enabled, theme: row.theme, customCss: row.custom_css };
}
