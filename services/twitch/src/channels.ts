import { MonitoredChannels, z, type ChannelStore, type ServiceDeps } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { TwitchDB } from './db.js';

export const AddTwitchChannelSchema = z.object({
  broadcaster_id: z.string().regex(/^\d{1,32}$/, 'must be a Twitch user id'),
  channel_name: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'must be a Twitch login'),
  gateway_id: z.string().max(128).optional(),
});
export type AddTwitchChannel = z.output<typeof AddTwitchChannelSchema>;

/** `twitch_channels`: a broadcaster is the whole server (no channel ids on Twitch). */
export function twitchMonitored(deps: Pick<ServiceDeps<any, TwitchDB>, 'db' | 'state'>): MonitoredChannels {
  return new MonitoredChannels(deps.state.kv, 'twitch', async (broadcasterId) => {
    const row = await deps.db
      .selectFrom('twitch_channels')
      .select('is_active')
      .where('broadcaster_id', '=', broadcasterId)
      .executeTakeFirst();
    return row ? { active: row.is_active, channels: [] } : null;
  });
}

export function twitchChannelStore(
  deps: Pick<ServiceDeps<any, TwitchDB>, 'db' | 'clock'>,
  monitored: MonitoredChannels,
): ChannelStore<AddTwitchChannel> & {
  upsert(body: AddTwitchChannel): Promise<{ created: boolean; data: unknown }>;
} {
  const db: Kysely<TwitchDB> = deps.db;
  const store = {
    async list() {
      return db
        .selectFrom('twitch_channels')
        .selectAll()
        .where('is_active', '=', true)
        .orderBy('id')
        .execute();
    },
    async upsert(body: AddTwitchChannel) {
      const now = deps.clock.now();
      const before = await db
        .selectFrom('twitch_channels')
        .select('is_active')
        .where('broadcaster_id', '=', body.broadcaster_id)
        .executeTakeFirst();
      const row = await db
        .insertInto('twitch_channels')
        .values({
          broadcaster_id: body.broadcaster_id,
          channel_name: body.channel_name.toLowerCase(),
          is_active: true,
          gateway_id: body.gateway_id ?? null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.column('broadcaster_id').doUpdateSet({
            channel_name: body.channel_name.toLowerCase(),
            is_active: true,
            gateway_id: (eb) => eb.fn.coalesce('excluded.gateway_id', 'twitch_channels.gateway_id'),
            updated_at: now,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      await monitored.invalidate(body.broadcaster_id);
      return { created: !before?.is_active, data: row };
    },
    add(body: AddTwitchChannel) {
      return store.upsert(body);
    },
    async remove(id: string) {
      const res = await db
        .updateTable('twitch_channels')
        .set({ is_active: false, updated_at: deps.clock.now() })
        .where('broadcaster_id', '=', id)
        .where('is_active', '=', true)
        .executeTakeFirst();
      await monitored.invalidate(id);
      return Number(res.numUpdatedRows) > 0;
    },
  };
  return store;
}
