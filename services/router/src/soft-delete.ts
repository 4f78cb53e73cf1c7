import { NotFoundError } from '@waddlebot/core';
import type { RouterContext } from './router-deps.js';

/** Tables whose rows are retired with `is_active = false` rather than deleted (§3.9, §3.15). */
type SoftDeletable = 'commands' | 'service_accounts' | 'stringmatch';

/** Soft-deletes one row by id; NotFoundError (`what` not found) when there is none. */
export async function deactivateRow(ctx: RouterContext, table: SoftDeletable, id: number, what: string) {
  // The three tables share `id`, `is_active` and `updated_at`; kysely types one at a time.
  const res = await ctx.db
    .updateTable(table as 'commands')
    .set({ is_active: false, updated_at: ctx.deps.clock.now() })
    .where('id', '=', id)
    .executeTakeFirst();
  if (!res.numUpdatedRows) throw new NotFoundError(`${what} not found`);
}
