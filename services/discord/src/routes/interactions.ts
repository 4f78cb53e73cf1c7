import {
  AuthRequiredError,
  documentPlainRoutes,
  InvalidApiKeyError,
  TtlCache,
  entityIdOf,
  epochSecondsHeader,
  invalidPayload,
  parseJsonObject,
  readRawBody,
  requirePlatformConfig,
  verifyDiscordSignature,
  withinReplayWindow,
  type App,
} from '@waddlebot/core';
import { missingDiscordConfig } from '../config.js';
import {
  InteractionType,
  focusedOption,
  interactionEvent,
  interactionUser,
  slashCommandText,
} from '../interactions.js';
import type { DiscordDeps, DiscordReceiver } from '../receiver.js';

const EPHEMERAL = 64;
const NOT_SET_UP = "WaddleBot isn't set up for this server yet.";
const NO_DMS = "WaddleBot doesn't take commands in direct messages.";

/** `POST /discord/interactions` (§6.1): Ed25519 over timestamp + raw body, 401 on any doubt. */
export function mountInteractions(app: App, deps: DiscordDeps, discord: DiscordReceiver) {
  const { config, pipeline } = discord;
  const commandCache = new TtlCache(deps.state.kv, 'discord:autocomplete:');
  documentPlainRoutes(app, [
    {
      method: 'post',
      path: '/discord/interactions',
      summary: 'Interactions endpoint, Ed25519-signed (router-and-receivers §6.1)',
      headers: ['X-Signature-Ed25519', 'X-Signature-Timestamp'],
      body: { contentType: 'application/json' },
    },
  ]);

  /** §6.1 type 4: registry commands for the entity, filtered by what the user typed (cache 60 s). */
  async function autocomplete(ix: Record<string, any>) {
    const typed = String(focusedOption(ix.data?.options)?.value ?? '')
      .toLowerCase()
      .replace(/^[!#]/, '');
    const entityId = entityIdOf('discord', ix.guild_id ?? 'dm', ix.channel_id ?? '');
    const names = await commandCache.getOrLoad(entityId, 60, async () => {
      try {
        const res = await deps.serviceClient('router').get<any>('/router/commands', {
          query: { platform: 'discord', entity_id: entityId },
          retries: 0,
          timeoutMs: 2000,
        });
        const list = (res.body?.data?.commands ?? res.body?.commands ?? []) as {
          command: string;
          description?: string;
        }[];
        return res.ok
          ? list.map((c) => ({
              name: String(c.command).replace(/^[!#]/, ''),
              description: String(c.description ?? ''),
            }))
          : undefined;
      } catch {
        return undefined;
      }
    });
    const choices = (names ?? [])
      .filter((c) => c.name.toLowerCase().startsWith(typed))
      .slice(0, 25)
      .map((c) => ({
        name: (c.description ? `${c.name} — ${c.description}` : c.name).slice(0, 100),
        value: c.name,
      }));
    return { type: 8, data: { choices } };
  }

  app.post(
    '/discord/interactions',
    requirePlatformConfig('discord', () => missingDiscordConfig(config, 'interactions')),
    async (c) => {
      const signature = c.req.header('X-Signature-Ed25519');
      const timestamp = c.req.header('X-Signature-Timestamp');
      const raw = await readRawBody(c);
      if (!signature || !timestamp) throw new AuthRequiredError('Missing request signature');
      if (!verifyDiscordSignature(config.DISCORD_PUBLIC_KEY!, timestamp, raw, signature)) {
        deps.logger.auth({ action: 'discord_interaction_verify', result: 'FAILURE', reason: 'signature' });
        throw new InvalidApiKeyError('Invalid request signature');
      }
      const skew = config.DISCORD_MAX_SKEW_SECONDS;
      if (!withinReplayWindow(epochSecondsHeader(timestamp), deps.clock.nowMs(), skew, skew)) {
        deps.logger.auth({ action: 'discord_interaction_verify', result: 'FAILURE', reason: 'timestamp' });
        throw new InvalidApiKeyError('Request timestamp outside the allowed window');
      }
      const ix = parseJsonObject(raw);
      if (typeof ix.type !== 'number') throw invalidPayload('type', 'must be an interaction type number');
      if (ix.type === InteractionType.Ping) return c.json({ type: 1 });
      if (ix.type === InteractionType.Autocomplete) return c.json(await autocomplete(ix));
      if (
        ![
          InteractionType.ApplicationCommand,
          InteractionType.MessageComponent,
          InteractionType.ModalSubmit,
        ].includes(ix.type as 2)
      ) {
        // §4.2: a verified interaction of a type WaddleBot does not handle is logged and acknowledged.
        if (typeof ix.id !== 'string') throw invalidPayload('id', 'Required');
        const user = interactionUser(ix);
        await pipeline.record({
          event_id: ix.id,
          event_type: `INTERACTION_${ix.type}`,
          guild_id: typeof ix.guild_id === 'string' ? ix.guild_id : null,
          channel_id: typeof ix.channel_id === 'string' ? ix.channel_id : null,
          user_id: user?.id ?? null,
          user_name: user?.username ?? null,
          event_data: ix,
        });
        return c.body(null, 204);
      }
      for (const field of ['id', 'token', 'application_id'])
        if (typeof ix[field] !== 'string') throw invalidPayload(field, 'Required');
      const user = interactionUser(ix);
      if (!user) throw invalidPayload(ix.guild_id ? 'member.user.id' : 'user.id', 'Required');

      const deferred = { type: ix.type === InteractionType.MessageComponent ? 6 : 5 };
      const slash = ix.type === InteractionType.ApplicationCommand ? slashCommandText(ix.data ?? {}) : null;
      const fresh = await pipeline.record({
        event_id: ix.id,
        event_type: `INTERACTION_${ix.type}`,
        guild_id: ix.guild_id ?? null,
        channel_id: ix.channel_id ?? null,
        user_id: user.id,
        user_name: user.username,
        event_data: ix,
      });
      if (slash?.kind === 'local_status') {
        return c.json({
          type: 4,
          data: { content: 'WaddleBot is running in this server.', flags: EPHEMERAL },
        });
      }
      if (!fresh) return c.json(deferred);

      const receivedAt = deps.clock.now();
      pipeline.background(ix.id, async () => {
        const role = await discord.interactionRole(ix.guild_id, user.id, ix.member?.permissions);
        const content = slash?.kind === 'forward' ? slash.content : String(ix.data?.custom_id ?? '');
        const event = interactionEvent(ix, role, receivedAt, content);
        if (!event) return;
        const target = {
          entityId: entityIdOf('discord', event.server_id, event.channel_id ?? ''),
          replyContext: event.reply_context as Record<string, unknown>,
        };
        const monitored =
          event.server_id === 'dm'
            ? config.DISCORD_ALLOW_DMS
            : await discord.guilds.monitored.isMonitored(event.server_id, event.channel_id ?? '');
        if (!monitored) {
          if (ix.type !== InteractionType.MessageComponent) {
            await discord.deliverer.deliver(
              [{ type: 'chat', text: event.server_id === 'dm' ? NO_DMS : NOT_SET_UP }],
              target,
            );
          }
          return;
        }
        const result = await pipeline.forwardAndDeliver(event, discord.deliverer, target);
        if (!result && ix.type !== InteractionType.MessageComponent) {
          await discord.deliverer.deliver(
            [
              {
                type: 'chat',
                text: 'Sorry, WaddleBot could not handle that right now. Please try again later.',
                ephemeral: true,
              },
            ],
            target,
          );
        }
      });
      return c.json(deferred);
    },
  );
}
