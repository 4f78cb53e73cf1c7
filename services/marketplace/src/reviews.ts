import { ValidationError } from '@waddlebot/core';
import { sql } from 'kysely';
import type { MarketplaceDeps, Queryable } from './marketplace-deps.js';
import { findListedModule, reviewView } from './modules.js';
import { isEffective } from './router-sync.js';

export interface ReviewInput {
  moduleId: string;
  communityId: number;
  userKey: string;
  userName: string;
  rating: number;
  title: string | null;
  reviewText: string | null;
}

/**
 * §6.2 reviews: only from a community that has the module; one per (module, community, user),
 * a second post replaces the first; the module's average and count are recomputed in the same
 * transaction (row lock on the module, so concurrent reviews cannot lose an update).
 */
export async function postReview(deps: MarketplaceDeps, input: ReviewInput) {
  const now = deps.clock.now();
  const module = await findListedModule(deps.db, input.moduleId);
  if (!(await isEffective(deps.db, input.communityId, module)))
    throw new ValidationError('Validation failed', [
      { path: 'community_id', message: 'The module is not installed in this community' },
    ]);
  const paid = Number(module.price) > 0;
  return deps.db.transaction().execute(async (trx) => {
    await trx
      .selectFrom('marketplace_modules')
      .select('id')
      .where('id', '=', module.id)
      .forUpdate()
      .execute();
    const row = await trx
      .insertInto('module_reviews')
      .values({
        module_id: module.id,
        community_id: input.communityId,
        user_id: input.userKey,
        user_name: input.userName,
        rating: input.rating,
        title: input.title,
        review_text: input.reviewText,
        is_verified_purchase: paid,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['module_id', 'community_id', 'user_id']).doUpdateSet({
          user_name: input.userName,
          rating: input.rating,
          title: input.title,
          review_text: input.reviewText,
          updated_at: now,
        }),
      )
      .returning(['id', sql<boolean>`(xmax = 0)`.as('inserted')])
      .executeTakeFirstOrThrow();
    const stats = await trx
      .selectFrom('module_reviews')
      .select((eb) => [
        sql<string>`coalesce(round(avg(rating)::numeric, 2), 0)`.as('avg'),
        eb.fn.countAll<string>().as('n'),
      ])
      .where('module_id', '=', module.id)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('marketplace_modules')
      .set({ rating_average: Number(stats.avg), rating_count: Number(stats.n), updated_at: now })
      .where('id', '=', module.id)
      .execute();
    return {
      created: Boolean(row.inserted),
      review_id: row.id,
      rating_average: Number(stats.avg),
      rating_count: Number(stats.n),
    };
  });
}

export async function listReviews(db: Queryable, moduleId: string, page: number, perPage: number) {
  const module = await findListedModule(db, moduleId);
  const [rows, total] = await Promise.all([
    db
      .selectFrom('module_reviews')
      .selectAll()
      .where('module_id', '=', module.id)
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute(),
    db
      .selectFrom('module_reviews')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('module_id', '=', module.id)
      .executeTakeFirstOrThrow(),
  ]);
  return { reviews: rows.map(reviewView), total: Number(total.n) };
}
