import type { TestRuntime } from '@waddlebot/core/testing';

/** The id of the active community with exactly this name, read as the router would read it. */
export async function activeCommunityId(rt: TestRuntime, name: string): Promise<number> {
  const row = await rt.db.database
    .forSchema('community')
    .selectFrom('communities')
    .select('id')
    .where('name', '=', name)
    .where('is_active', '=', true)
    .executeTakeFirstOrThrow();
  return Number(row.id);
}
