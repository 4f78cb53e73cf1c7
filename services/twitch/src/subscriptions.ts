import { NotFoundError, UpstreamError, notConfiguredError, type ServiceDeps } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { missingTwitchConfig, type TwitchConfig } from './config.js';
import type { TwitchDB } from './db.js';
import type { Helix } from './helix.js';

/** The EventSub types of §5.2 with their versions and conditions. */
export function subscriptionPlan(broadcasterId: string, botUserId: string | undefined) {
  const b = { broadcaster_user_id: broadcasterId };
  return [
    // Chat is read as the bot, which needs `user_id` in the condition.
    {
      type: 'channel.chat.message',
      version: '1',
      condition: botUserId ? { ...b, user_id: botUserId } : null,
    },
    { type: 'channel.follow', version: '2', condition: { ...b, moderator_user_id: broadcasterId } },
    { type: 'channel.subscribe', version: '1', condition: b },
    { type: 'channel.subscription.gift', version: '1', condition: b },
    { type: 'channel.subscription.message', version: '1', condition: b },
    { type: 'channel.cheer', version: '1', condition: b },
    // The raid condition names the receiving channel; `broadcaster_user_id` is rejected by Twitch.
    { type: 'channel.raid', version: '1', condition: { to_broadcaster_user_id: broadcasterId } },
    { type: 'channel.ban', version: '1', condition: b },
    { type: 'stream.online', version: '1', condition: b },
    { type: 'stream.offline', version: '1', condition: b },
  ] as const;
}

interface HelixSubscription {
  id: string;
  status: string;
  type: string;
  version: string;
  cost?: number;
  condition?: Record<string, string>;
}

export interface SubscriptionNotice {
  id: string;
  status: string;
  type: string;
  version?: string;
  cost?: number;
  condition?: Record<string, unknown>;
}

/** EventSub subscription management (§5.4) and the rows the challenge/revocation update (§5.1). */
export class EventSubSubscriptions {
  constructor(
    private readonly deps: Pick<ServiceDeps<any, TwitchDB>, 'db' | 'clock' | 'logger'>,
    private readonly config: TwitchConfig,
    private readonly helix: Helix,
  ) {}

  private get db(): Kysely<TwitchDB> {
    return this.deps.db;
  }

  private async channelRowId(condition: Record<string, unknown> | undefined): Promise<number | null> {
    const broadcaster = condition?.broadcaster_user_id ?? condition?.to_broadcaster_user_id;
    if (typeof broadcaster !== 'string') return null;
    const row = await this.db
      .selectFrom('twitch_channels')
      .select('id')
      .where('broadcaster_id', '=', broadcaster)
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /**
   * Upserts a subscription row. The challenge may arrive before the create call's 202 is stored,
   * so a later, weaker status never downgrades `enabled`.
   */
  async store(sub: SubscriptionNotice, opts: { authoritative: boolean }): Promise<void> {
    const now = this.deps.clock.now();
    const channelId = await this.channelRowId(sub.condition);
    await this.db
      .insertInto('twitch_subscriptions')
      .values({
        subscription_id: sub.id,
        channel_id: channelId,
        event_type: sub.type,
        version: sub.version ?? '1',
        status: sub.status,
        cost: sub.cost ?? 1,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.column('subscription_id').doUpdateSet((eb) => ({
          channel_id: eb.fn.coalesce('excluded.channel_id', 'twitch_subscriptions.channel_id'),
          cost: eb.ref('excluded.cost'),
          status: opts.authoritative
            ? eb.ref('excluded.status')
            : eb
                .case()
                .when('twitch_subscriptions.status', '=', 'enabled')
                .then('enabled')
                .else(eb.ref('excluded.status'))
                .end(),
          updated_at: now,
        })),
      )
      .execute();
  }

  /** `POST /twitch/api/channels/:broadcaster_id/subscriptions`. */
  async createFor(broadcasterId: string) {
    const missing = missingTwitchConfig(this.config, 'subscriptions');
    if (missing.length > 0) throw notConfiguredError('twitch', missing);
    const channel = await this.db
      .selectFrom('twitch_channels')
      .select('id')
      .where('broadcaster_id', '=', broadcasterId)
      .where('is_active', '=', true)
      .executeTakeFirst();
    if (!channel) throw new NotFoundError('Channel is not monitored');
    const subscriptions: SubscriptionNotice[] = [];
    const failed: { type: string; status: number; error: string }[] = [];
    for (const plan of subscriptionPlan(broadcasterId, this.config.TWITCH_BOT_USER_ID)) {
      if (!plan.condition) {
        failed.push({ type: plan.type, status: 0, error: 'TWITCH_BOT_USER_ID is not set' });
        continue;
      }
      const res = await this.helix.asApp<{ data?: HelixSubscription[]; message?: string }>(
        '/eventsub/subscriptions',
        {
          method: 'POST',
          body: {
            type: plan.type,
            version: plan.version,
            condition: plan.condition,
            transport: {
              method: 'webhook',
              callback: this.config.TWITCH_WEBHOOK_CALLBACK_URL,
              secret: this.config.TWITCH_EVENTSUB_SECRET,
            },
          },
        },
      );
      const created = res.body?.data?.[0];
      if (res.status !== 202 || !created) {
        failed.push({
          type: plan.type,
          status: res.status,
          error: typeof res.body?.message === 'string' ? res.body.message : `Twitch answered ${res.status}`,
        });
        continue;
      }
      await this.store(created, { authoritative: false });
      subscriptions.push({
        id: created.id,
        status: created.status,
        type: created.type,
        version: created.version,
        cost: created.cost ?? 1,
      });
    }
    this.deps.logger.audit({
      action: 'eventsub_subscribe',
      result: failed.length === 0 ? 'SUCCESS' : 'PARTIAL',
      broadcaster_id: broadcasterId,
      created: subscriptions.length,
      failed: failed.length,
    });
    return { subscriptions, failed };
  }

  /** `GET /twitch/api/subscriptions`: what Helix has. */
  async listRemote(query: { status?: string; type?: string; after?: string }) {
    const res = await this.helix.asApp<{
      data?: unknown[];
      total?: number;
      pagination?: { cursor?: string };
    }>('/eventsub/subscriptions', { query });
    if (!res.ok) throw new UpstreamError(`Twitch answered ${res.status}`);
    return {
      subscriptions: res.body?.data ?? [],
      total: res.body?.total ?? 0,
      cursor: res.body?.pagination?.cursor ?? null,
    };
  }

  /** `DELETE /twitch/api/subscriptions?id=`: Helix answers 204; the row is kept as `deleted`. */
  async remove(id: string) {
    const res = await this.helix.asApp(`/eventsub/subscriptions`, { method: 'DELETE', query: { id } });
    if (res.status === 404) throw new NotFoundError('Subscription not found');
    if (res.status !== 204 && !res.ok) throw new UpstreamError(`Twitch answered ${res.status}`);
    await this.db
      .updateTable('twitch_subscriptions')
      .set({ status: 'deleted', updated_at: this.deps.clock.now() })
      .where('subscription_id', '=', id)
      .execute();
    this.deps.logger.audit({ action: 'eventsub_unsubscribe', result: 'SUCCESS' });
  }
}
