import { sql, type Kysely } from 'kysely';
import { pageMeta, type PageMeta } from '../http/envelope.js';

/**
 * The raw event log every receiver keeps (`twitch_events`, `discord_events`, `slack_events`):
 * one row per delivery, unique `event_id`, the durable dedup backstop behind the Redis claim.
 */
export interface EventLogRow {
  event_id: string;
  event_type: string;
  user_id?: string | null;
  user_name?: string | null;
  event_data: unknown;
  /** Platform-specific columns (broadcaster, guild, team, channel ids). */
  [column: string]: unknown;
}

export class EventLog {
  constructor(
    private readonly db: Kysely<any>,
    private readonly table: string,
  ) {}

  /** Inserts the row; false when a row with this event id already exists. */
  async insert(row: EventLogRow, now: Date): Promise<boolean> {
    const inserted = await this.db
      .insertInto(this.table)
      .values({ ...row, event_data: JSON.stringify(row.event_data ?? {}), processed: false, created_at: now })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async markProcessed(eventId: string, processed: boolean, now: Date): Promise<void> {
    await this.db
      .updateTable(this.table)
      .set({ processed, processed_at: processed ? now : null })
      .where('event_id', '=', eventId)
      .execute();
  }

  async exists(eventId: string): Promise<boolean> {
    return (
      (await this.db
        .selectFrom(this.table)
        .select('id')
        .where('event_id', '=', eventId)
        .executeTakeFirst()) !== undefined
    );
  }

  /** Newest first, `perPage` a page (Twitch `GET /twitch/events?page`: 20). */
  async page(page: number, perPage: number): Promise<{ rows: Record<string, unknown>[]; meta: PageMeta }> {
    const total = Number(
      (
        await this.db
          .selectFrom(this.table)
          .select(sql<number>`count(*)`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const rows = await this.db
      .selectFrom(this.table)
      .selectAll()
      .orderBy('id', 'desc')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute();
    return { rows, meta: pageMeta(page, perPage, total) };
  }
}
