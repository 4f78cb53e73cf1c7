import { NotFoundError, z } from '@waddlebot/core';
import type { SubscriptionRow } from './db.js';
import type { MarketplaceDeps, Queryable } from './marketplace-deps.js';

const DAY_MS = 86_400_000;
/** §6.2: paid modules stay installable for 7 days after the end date. */
export const GRACE_DAYS = 7;
/** §6.2: with this many days or fewer left, a paid install answers with a warning. */
const WARN_DAYS = 3;

export type AccessReason = 'free' | 'subscription_active' | 'grace_period' | 'subscription_required';

export interface PaidAccess {
  allowed: boolean;
  reason: AccessReason;
  message?: string;
  expires_at?: string;
  subscription_status: string;
}

export async function findSubscription(db: Queryable, communityId: number) {
  return db
    .selectFrom('community_subscriptions')
    .selectAll()
    .where('community_id', '=', communityId)
    .executeTakeFirst();
}

/** An active row past its grace end is expired even before the sweep marks it. */
function effectiveStatus(sub: SubscriptionRow, now: Date) {
  if (sub.subscription_status === 'active' && new Date(sub.grace_period_end) <= now) return 'expired';
  return sub.subscription_status;
}

function daysRemaining(sub: SubscriptionRow, now: Date) {
  return Math.max(0, Math.ceil((new Date(sub.subscription_end).getTime() - now.getTime()) / DAY_MS));
}

/** §6.2 paid-module rule for a module price. */
export function paidAccess(sub: SubscriptionRow | undefined, price: number, now: Date): PaidAccess {
  const status = sub ? effectiveStatus(sub, now) : 'none';
  if (price <= 0) return { allowed: true, reason: 'free', subscription_status: status };
  if (!sub || status !== 'active')
    return {
      allowed: false,
      reason: 'subscription_required',
      message: 'This module needs an active community subscription',
      subscription_status: status,
    };
  const end = new Date(sub.subscription_end);
  if (end <= now)
    return {
      allowed: true,
      reason: 'grace_period',
      message: `Subscription expired; grace period ends ${new Date(sub.grace_period_end).toISOString()}`,
      expires_at: new Date(sub.grace_period_end).toISOString(),
      subscription_status: status,
    };
  const days = daysRemaining(sub, now);
  return {
    allowed: true,
    reason: 'subscription_active',
    ...(days <= WARN_DAYS
      ? {
          message: `Subscription expires in ${days} day${days === 1 ? '' : 's'}`,
          expires_at: end.toISOString(),
        }
      : {}),
    subscription_status: status,
  };
}

/** `GET /marketplace/subscription/:community_id` body. */
export function subscriptionView(communityId: number, sub: SubscriptionRow | undefined, now: Date) {
  if (!sub)
    return {
      community_id: communityId,
      subscription: {
        has_subscription: false,
        subscription_type: 'free',
        subscription_status: 'none',
        can_install_paid: false,
        expires_at: null,
        grace_period_end: null,
        days_remaining: 0,
      },
    };
  const status = effectiveStatus(sub, now);
  return {
    community_id: communityId,
    subscription: {
      has_subscription: true,
      subscription_type: sub.subscription_type,
      subscription_status: status,
      can_install_paid: paidAccess(sub, 1, now).allowed,
      expires_at: new Date(sub.subscription_end).toISOString(),
      grace_period_end: new Date(sub.grace_period_end).toISOString(),
      days_remaining: daysRemaining(sub, now),
      auto_renew: sub.auto_renew,
      subscription_start: new Date(sub.subscription_start).toISOString(),
      currency: sub.currency,
      cancellation_reason: sub.cancellation_reason,
    },
  };
}

export const SubscriptionInput = z.object({
  community_id: z.union([
    z.number().int().positive().max(2_147_483_647),
    z
      .string()
      .regex(/^[1-9]\d{0,8}$/)
      .transform(Number),
  ]),
  subscription_type: z.enum(['free', 'premium', 'enterprise']).default('premium'),
  duration_days: z.number().int().min(1).max(3650).default(30),
  payment_method: z.string().max(50).nullish(),
  payment_id: z.string().max(200).nullish(),
  amount_paid: z.number().min(0).max(99_999_999.99).nullish(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
    .default('USD'),
  auto_renew: z.boolean().default(true),
  reason: z.string().max(1000).nullish(),
});
export type SubscriptionInput = z.output<typeof SubscriptionInput>;

function datesView(sub: { subscription_end: Date; grace_period_end: Date; subscription_status: string }) {
  return {
    subscription_status: sub.subscription_status,
    subscription_end: sub.subscription_end.toISOString(),
    grace_period_end: sub.grace_period_end.toISOString(),
  };
}

/** Create (or restart) a subscription: end = now + duration, grace end = end + 7 days (§6.2). */
export async function createSubscription(deps: MarketplaceDeps, input: SubscriptionInput) {
  const now = deps.clock.now();
  const end = new Date(now.getTime() + input.duration_days * DAY_MS);
  const grace = new Date(end.getTime() + GRACE_DAYS * DAY_MS);
  const values = {
    subscription_type: input.subscription_type,
    subscription_status: 'active' as const,
    subscription_start: now,
    subscription_end: end,
    grace_period_end: grace,
    auto_renew: input.auto_renew,
    payment_method: input.payment_method ?? null,
    payment_id: input.payment_id ?? null,
    amount_paid: input.amount_paid ?? null,
    last_payment_date: input.amount_paid ? now : null,
    next_payment_date: input.auto_renew ? end : null,
    currency: input.currency,
    cancellation_reason: null,
    updated_at: now,
  };
  await deps.db
    .insertInto('community_subscriptions')
    .values({ ...values, community_id: input.community_id, created_at: now })
    .onConflict((oc) => oc.column('community_id').doUpdateSet(values))
    .execute();
  return { community_id: input.community_id, ...datesView({ ...values }) };
}

/** Renew: extends from max(current end, now) by the duration and reactivates (§6.2). */
export async function renewSubscription(deps: MarketplaceDeps, input: SubscriptionInput) {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const sub = await trx
      .selectFrom('community_subscriptions')
      .selectAll()
      .where('community_id', '=', input.community_id)
      .forUpdate()
      .executeTakeFirst();
    if (!sub) throw new NotFoundError('This community has no subscription');
    const from = Math.max(new Date(sub.subscription_end).getTime(), now.getTime());
    const end = new Date(from + input.duration_days * DAY_MS);
    const grace = new Date(end.getTime() + GRACE_DAYS * DAY_MS);
    await trx
      .updateTable('community_subscriptions')
      .set({
        subscription_status: 'active',
        subscription_end: end,
        grace_period_end: grace,
        cancellation_reason: null,
        next_payment_date: sub.auto_renew ? end : null,
        ...(input.payment_method ? { payment_method: input.payment_method } : {}),
        ...(input.payment_id ? { payment_id: input.payment_id } : {}),
        ...(input.amount_paid ? { amount_paid: input.amount_paid, last_payment_date: now } : {}),
        updated_at: now,
      })
      .where('id', '=', sub.id)
      .execute();
    return {
      community_id: input.community_id,
      ...datesView({ subscription_status: 'active', subscription_end: end, grace_period_end: grace }),
    };
  });
}

export async function cancelSubscription(deps: MarketplaceDeps, input: SubscriptionInput) {
  const now = deps.clock.now();
  const row = await deps.db
    .updateTable('community_subscriptions')
    .set({
      subscription_status: 'cancelled',
      auto_renew: false,
      next_payment_date: null,
      cancellation_reason: input.reason ?? null,
      updated_at: now,
    })
    .where('community_id', '=', input.community_id)
    .returning(['subscription_end', 'grace_period_end', 'subscription_status'])
    .executeTakeFirst();
  if (!row) throw new NotFoundError('This community has no subscription');
  return { community_id: input.community_id, ...datesView(row) };
}

/** The daily sweep (§6.2): active subscriptions past their grace end become `expired`. */
export async function expireSubscriptions(deps: MarketplaceDeps): Promise<number> {
  const res = await deps.db
    .updateTable('community_subscriptions')
    .set({ subscription_status: 'expired', updated_at: deps.clock.now() })
    .where('subscription_status', '=', 'active')
    .where('grace_period_end', '<=', deps.clock.now())
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export const PaymentInput = z.object({
  community_id: SubscriptionInput.shape.community_id,
  payment_id: z.string().trim().min(1).max(200),
  payment_method: z.string().trim().min(1).max(50),
  amount: z.number().min(0).max(99_999_999.99),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
    .default('USD'),
  payment_status: z.enum(['pending', 'completed', 'failed', 'refunded']).default('completed'),
  description: z.string().max(1000).nullish(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type PaymentInput = z.output<typeof PaymentInput>;

export async function recordPayment(deps: MarketplaceDeps, input: PaymentInput) {
  const now = deps.clock.now();
  const row = await deps.db
    .insertInto('community_payments')
    .values({
      community_id: input.community_id,
      payment_id: input.payment_id,
      payment_method: input.payment_method,
      amount: input.amount,
      currency: input.currency,
      payment_status: input.payment_status,
      payment_date: now,
      description: input.description ?? null,
      metadata: JSON.stringify(input.metadata),
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, payment_id: input.payment_id };
}

export async function listPayments(db: Queryable, communityId: number, limit: number) {
  const [rows, total] = await Promise.all([
    db
      .selectFrom('community_payments')
      .selectAll()
      .where('community_id', '=', communityId)
      .orderBy('payment_date', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
    db
      .selectFrom('community_payments')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('community_id', '=', communityId)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    payments: rows.map((p) => ({
      ...p,
      amount: Number(p.amount),
      payment_date: new Date(p.payment_date).toISOString(),
      created_at: new Date(p.created_at).toISOString(),
    })),
    total: Number(total.n),
  };
}
