import { ok, restRoute, z, type App, type ServiceDeps } from '@waddlebot/core';
import { assertMayReadCommunity, assertServiceOrPlatformAdmin } from '../access.js';
import type { MarketplaceDeps } from '../marketplace-deps.js';
import {
  PaymentInput,
  SubscriptionInput,
  cancelSubscription,
  createSubscription,
  findSubscription,
  listPayments,
  paidAccess,
  recordPayment,
  renewSubscription,
  subscriptionView,
} from '../subscriptions.js';
import { CommunityIdBody, CommunityIdParam } from './params.js';

const NoParams = z.object({});

/** Community subscriptions and payment bookkeeping (§6.2, §6.3). */
export function mountSubscriptionRoutes(app: App, deps: ServiceDeps, mdeps: MarketplaceDeps) {
  const db = mdeps.db;
  const svcOrJwt = deps.auth.require('service', 'jwt');
  const svc = deps.auth.require('service');

  restRoute(
    app,
    svcOrJwt,
    {
      method: 'get',
      path: '/marketplace/subscription/{community_id}',
      summary: "A community's subscription status",
      params: z.object({ community_id: CommunityIdParam }),
    },
    async (c, { params }) => {
      await assertMayReadCommunity(mdeps, c.get('auth'), params.community_id);
      const sub = await findSubscription(db, params.community_id);
      return ok(c, subscriptionView(params.community_id, sub, mdeps.clock.now()));
    },
  );

  const writes = [
    ['create', createSubscription, 201],
    ['renew', renewSubscription, 200],
    ['cancel', cancelSubscription, 200],
  ] as const;
  for (const [action, run, status] of writes) {
    restRoute(
      app,
      svcOrJwt,
      {
        method: 'post',
        path: `/marketplace/subscription/${action}`,
        summary: `${action} a community subscription (service or platform administrator)`,
        params: NoParams,
        body: SubscriptionInput,
        status,
      },
      async (c, { body }) => {
        await assertServiceOrPlatformAdmin(mdeps, c.get('auth'));
        const res = await run(mdeps, body);
        mdeps.logger.audit({
          action: `subscription_${action}`,
          user: c.get('auth').user_id ?? 'service',
          community: String(body.community_id),
          result: 'SUCCESS',
        });
        return ok(c, res, status);
      },
    );
  }

  restRoute(
    app,
    svc,
    {
      method: 'get',
      path: '/marketplace/subscription/{community_id}/payments',
      summary: "A community's payments, newest first",
      params: z.object({ community_id: CommunityIdParam }),
      query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
    },
    async (c, { params, query }) => ok(c, await listPayments(db, params.community_id, query.limit)),
  );

  restRoute(
    app,
    svc,
    {
      method: 'post',
      path: '/marketplace/subscription/payment',
      summary: 'Record a payment',
      params: NoParams,
      body: PaymentInput,
      status: 201,
    },
    async (c, { body }) => {
      const res = await recordPayment(mdeps, body);
      mdeps.logger.audit({
        action: 'payment_recorded',
        user: 'service',
        community: String(body.community_id),
        result: 'SUCCESS',
      });
      return ok(c, { payment_id: res.payment_id, id: res.id }, 201);
    },
  );

  restRoute(
    app,
    svc,
    {
      method: 'post',
      path: '/marketplace/subscription/check-paid-access',
      summary: 'Would a module at this price be installable for the community now?',
      params: NoParams,
      body: z.object({ community_id: CommunityIdBody, module_price: z.number().min(0).max(99_999_999.99) }),
    },
    async (c, { body }) => {
      const sub = await findSubscription(db, body.community_id);
      const access = paidAccess(sub, body.module_price, mdeps.clock.now());
      return ok(c, {
        access_check: {
          allowed: access.allowed,
          reason: access.reason,
          ...(access.message ? { message: access.message } : {}),
          ...(access.expires_at ? { expires_at: access.expires_at } : {}),
        },
        subscription_status: access.subscription_status,
      });
    },
  );
}
