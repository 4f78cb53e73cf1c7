import { z } from 'zod';
import type { Kysely } from 'kysely';
import { SegmentSchema, type Platform } from '../contracts/ids.js';
import type { Clock } from '../clock.js';
import type { StateBackend } from '../state/index.js';
import { MonitoredChannels, type ChannelStore } from './monitored-channels.js';

/**
 * Where a receiver with servers and channels (Discord guilds, Slack teams) keeps its monitored
 * list: a server table keyed by the platform id, and a channel table whose `channel_id` rows point
 * at the server row's `id` and are monitored while `is_monitored`.
 */
export interface ServerChannelTables {
  serverTable: string;
  /** Platform id column of the server table (`guild_id`, `team_id`); also the POST body field. */
  serverKey: string;
  /** Display-name column of the server table (`guild_name`, `team_name`); also the POST body field. */
  serverName: string;
  channelTable: string;
  /** Column of the channel table holding the server row's `id`. */
  channelServerRef: string;
}

export interface ServerChannelView {
  server_id: string;
  name: string | null;
  is_active: boolean;
  channels: { channel_id: string; channel_name: string | null }[];
}

/** What an operator registers: a server, optionally one of its channels, with display names. */
export interface ServerChannelAdd {
  serverId: string;
  serverName?: string;
  channelId?: string;
  channelName?: string;
}

const DisplayName = z.string().min(1).max(100);

/** Contracts §17.5 over the two tables: list, idempotent add, remove by channel id else server id. */
export class ServerChannelStore {
  readonly monitored: MonitoredChannels;

  constructor(
    private readonly deps: { db: Kysely<any>; state: StateBackend; clock: Clock },
    platform: Platform,
    private readonly t: ServerChannelTables,
  ) {
    this.monitored = new MonitoredChannels(deps.state.kv, platform, (serverId) => this.load(serverId));
  }

  private async load(serverId: string) {
    const server = await this.deps.db
      .selectFrom(this.t.serverTable)
      .select(['id', 'is_active'])
      .where(this.t.serverKey, '=', serverId)
      .executeTakeFirst();
    if (!server) return null;
    const channels = await this.deps.db
      .selectFrom(this.t.channelTable)
      .select('channel_id')
      .where(this.t.channelServerRef, '=', server.id)
      .where('is_monitored', '=', true)
      .execute();
    return { active: Boolean(server.is_active), channels: channels.map((c) => String(c.channel_id)) };
  }

  async list(): Promise<ServerChannelView[]> {
    const servers = await this.deps.db
      .selectFrom(this.t.serverTable)
      .selectAll()
      .where('is_active', '=', true)
      .orderBy('id')
      .execute();
    if (servers.length === 0) return [];
    const channels = await this.deps.db
      .selectFrom(this.t.channelTable)
      .selectAll()
      .where(
        this.t.channelServerRef,
        'in',
        servers.map((s) => s.id),
      )
      .where('is_monitored', '=', true)
      .orderBy('id')
      .execute();
    return servers.map((s) => ({
      server_id: String(s[this.t.serverKey]),
      name: (s[this.t.serverName] as string | null) ?? null,
      is_active: true,
      channels: channels
        .filter((c) => c[this.t.channelServerRef] === s.id)
        .map((c) => ({
          channel_id: String(c.channel_id),
          channel_name: (c.channel_name as string | null) ?? null,
        })),
    }));
  }

  /**
   * Registers a server (operator call or onboarding) and marks it active. `reactivate: false`
   * keeps an operator's removal when the platform merely reconnects (Discord GUILD_CREATE).
   * `changed` when the server row was created or re-activated.
   */
  async upsertServer(
    serverId: string,
    fields: Record<string, unknown> = {},
    opts: { reactivate?: boolean } = {},
  ): Promise<{ id: number; changed: boolean }> {
    const now = this.deps.clock.now();
    const before = await this.deps.db
      .selectFrom(this.t.serverTable)
      .select(['id', 'is_active'])
      .where(this.t.serverKey, '=', serverId)
      .executeTakeFirst();
    const reactivate = opts.reactivate ?? true;
    const row = await this.deps.db
      .insertInto(this.t.serverTable)
      .values({ [this.t.serverKey]: serverId, is_active: true, created_at: now, updated_at: now, ...fields })
      .onConflict((oc) =>
        oc
          .column(this.t.serverKey)
          .doUpdateSet({ ...fields, ...(reactivate ? { is_active: true } : {}), updated_at: now }),
      )
      .returning(['id', 'is_active'])
      .executeTakeFirstOrThrow();
    await this.monitored.invalidate(serverId);
    return { id: row.id as number, changed: !before || (!before.is_active && Boolean(row.is_active)) };
  }

  /** Marks a channel of the server row monitored; true when it was not monitored there before. */
  private async upsertChannel(
    serverRowId: number,
    channelId: string,
    channelName?: string,
  ): Promise<boolean> {
    const now = this.deps.clock.now();
    const before = await this.deps.db
      .selectFrom(this.t.channelTable)
      .select(['is_monitored', this.t.channelServerRef])
      .where('channel_id', '=', channelId)
      .executeTakeFirst();
    const named = channelName ? { channel_name: channelName } : {};
    await this.deps.db
      .insertInto(this.t.channelTable)
      .values({
        channel_id: channelId,
        [this.t.channelServerRef]: serverRowId,
        is_monitored: true,
        created_at: now,
        updated_at: now,
        ...named,
      })
      .onConflict((oc) =>
        oc.column('channel_id').doUpdateSet({
          [this.t.channelServerRef]: serverRowId,
          is_monitored: true,
          updated_at: now,
          ...named,
        }),
      )
      .execute();
    return !before || !before.is_monitored || before[this.t.channelServerRef] !== serverRowId;
  }

  /** `created` (→ 201) when the server or the channel became monitored, false (→ 200) when both already were. */
  async add(req: ServerChannelAdd): Promise<{ created: boolean; data: ServerChannelView | undefined }> {
    const server = await this.upsertServer(
      req.serverId,
      req.serverName ? { [this.t.serverName]: req.serverName } : {},
    );
    let created = server.changed;
    if (req.channelId) {
      created = (await this.upsertChannel(server.id, req.channelId, req.channelName)) || created;
      await this.monitored.invalidate(req.serverId);
    }
    const view = (await this.list()).find((s) => s.server_id === req.serverId);
    return { created, data: view };
  }

  /** `:id` names a monitored channel first, else a server; false when neither is monitored. */
  async remove(id: string): Promise<boolean> {
    const now = this.deps.clock.now();
    const channel = await this.deps.db
      .updateTable(this.t.channelTable)
      .set({ is_monitored: false, updated_at: now })
      .where('channel_id', '=', id)
      .where('is_monitored', '=', true)
      .returning(this.t.channelServerRef)
      .executeTakeFirst();
    if (channel) {
      const server = await this.deps.db
        .selectFrom(this.t.serverTable)
        .select(this.t.serverKey)
        .where('id', '=', channel[this.t.channelServerRef])
        .executeTakeFirst();
      if (server) await this.monitored.invalidate(String(server[this.t.serverKey]));
      return true;
    }
    const server = await this.deps.db
      .updateTable(this.t.serverTable)
      .set({ is_active: false, updated_at: now })
      .where(this.t.serverKey, '=', id)
      .where('is_active', '=', true)
      .executeTakeFirst();
    await this.monitored.invalidate(id);
    return Number(server.numUpdatedRows) > 0;
  }

  /** Active server ids (Discord member search over monitored guilds). */
  async activeServerIds(): Promise<string[]> {
    const rows = await this.deps.db
      .selectFrom(this.t.serverTable)
      .select(this.t.serverKey)
      .where('is_active', '=', true)
      .orderBy('id')
      .execute();
    return rows.map((r) => String(r[this.t.serverKey]));
  }

  /**
   * The POST body of contracts §17.5 for these tables, e.g. Discord `{guild_id, channel_id?,
   * guild_name?, channel_name?}`. Ids are contracts §3 segments: the platform's own id formats
   * are not checked, so the acceptance fixtures' `G1`/`C1` register like real snowflakes.
   */
  addChannelSchema() {
    return z.object({
      [this.t.serverKey]: SegmentSchema,
      channel_id: SegmentSchema.optional(),
      [this.t.serverName]: DisplayName.optional(),
      channel_name: DisplayName.optional(),
    });
  }

  /** The store behind `mountChannelRoutes`, reading bodies of `addChannelSchema()`. */
  channelRoutesStore(): ChannelStore<Record<string, string | undefined>> {
    return {
      list: () => this.list(),
      add: (body) =>
        this.add({
          serverId: body[this.t.serverKey]!,
          serverName: body[this.t.serverName],
          channelId: body.channel_id,
          channelName: body.channel_name,
        }),
      remove: (id) => this.remove(id),
    };
  }
}
