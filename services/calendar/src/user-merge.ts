import type { Kysely } from 'kysely';
import { retiredUserKeys, type UserMerged } from '@waddlebot/core';
import type { CalendarDB } from './db.js';

/**
 * Re-keys creators, approvers and attendees to the surviving uid. Where both keys attend the
 * same event the older sign-up is kept (contracts §14). Idempotent.
 */
export async function mergeUser(db: Kysely<CalendarDB>, merge: UserMerged): Promise<number> {
  const oldKeys = retiredUserKeys(merge);
  if (oldKeys.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    let moved = 0;
    const created = await trx
      .updateTable('calendar_events')
      .set({ created_by: merge.into_uid })
      .where('created_by', 'in', oldKeys)
      .executeTakeFirst();
    const approved = await trx
      .updateTable('calendar_events')
      .set({ approved_by: merge.into_uid })
      .where('approved_by', 'in', oldKeys)
      .executeTakeFirst();
    moved += Number(created.numUpdatedRows) + Number(approved.numUpdatedRows);

    const rows = await trx
      .selectFrom('calendar_event_attendees')
      .select(['id', 'event_id', 'joined_at'])
      .where('user_id', 'in', [...oldKeys, merge.into_uid])
      .orderBy('joined_at')
      .orderBy('id')
      .execute();
    const keep = new Map<number, number>();
    const drop: number[] = [];
    for (const r of rows) {
      if (keep.has(r.event_id)) drop.push(r.id);
      else keep.set(r.event_id, r.id);
    }
    if (drop.length > 0) await trx.deleteFrom('calendar_event_attendees').where('id', 'in', drop).execute();
    const kept = [...keep.values()];
    if (kept.length > 0) {
      const res = await trx
        .updateTable('calendar_event_attendees')
        .set({ user_id: merge.into_uid })
        .where('id', 'in', kept)
        .where('user_id', '!=', merge.into_uid)
        .executeTakeFirst();
      moved += Number(res.numUpdatedRows);
    }
    return moved + drop.length;
  });
}
