import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import type { Stopper } from '@waddlebot/core';
import type { DiscordDispatchHandler } from './gateway.js';
import type { DiscordDeps, DiscordReceiver } from './receiver.js';

export const GATEWAY_LEADER_KEY = 'discord:gateway:leader';
const LEASE_SECONDS = 30;

/** §6.2 intents: GUILDS, GUILD_MEMBERS, GUILD_MODERATION, GUILD_VOICE_STATES, GUILD_MESSAGES, GUILD_MESSAGE_REACTIONS, MESSAGE_CONTENT (+ DIRECT_MESSAGES). */
export function gatewayIntents(allowDms: boolean): number {
  const GUILDS = 1 << 0;
  const GUILD_MEMBERS = 1 << 1;
  const GUILD_MODERATION = 1 << 2;
  const GUILD_VOICE_STATES = 1 << 7;
  const GUILD_MESSAGES = 1 << 9;
  const GUILD_MESSAGE_REACTIONS = 1 << 10;
  const DIRECT_MESSAGES = 1 << 12;
  const MESSAGE_CONTENT = 1 << 15;
  return (
    GUILDS |
    GUILD_MEMBERS |
    GUILD_MODERATION |
    GUILD_VOICE_STATES |
    GUILD_MESSAGES |
    GUILD_MESSAGE_REACTIONS |
    MESSAGE_CONTENT |
    (allowDms ? DIRECT_MESSAGES : 0)
  );
}

export interface GatewayEvents {
  dispatch(eventName: string, data: Record<string, any>): void;
  connected(up: boolean): void;
}

/** Opens a gateway connection that reports dispatches; `close` ends it. */
export type GatewayConnector = (events: GatewayEvents) => Promise<{ close(): Promise<void> }>;

/** The real connection: @discordjs/ws with the REST base from DISCORD_API_BASE_URL. */
export function discordJsConnector(deps: DiscordDeps): GatewayConnector {
  return async (events) => {
    const base = deps.config.DISCORD_API_BASE_URL;
    const version = /\/v(\d+)$/.exec(base)?.[1] ?? '10';
    const rest = new REST({ api: base.replace(/\/v\d+$/, ''), version }).setToken(
      deps.config.DISCORD_BOT_TOKEN!,
    );
    const manager = new WebSocketManager({
      token: deps.config.DISCORD_BOT_TOKEN!,
      intents: gatewayIntents(deps.config.DISCORD_ALLOW_DMS),
      rest,
    });
    manager.on(WebSocketShardEvents.Ready, () => events.connected(true));
    manager.on(WebSocketShardEvents.Closed, () => events.connected(false));
    manager.on(WebSocketShardEvents.Dispatch, (payload) =>
      events.dispatch(payload.t, payload.d as Record<string, any>),
    );
    await manager.connect();
    return { close: async () => void (await manager.destroy()) };
  };
}

export interface GatewayRunOptions {
  connector?: GatewayConnector;
  renewMs?: number;
}

/**
 * Holds the Discord gateway on exactly one replica: gateway event ids differ between connections,
 * so the lease `discord:gateway:leader` (renewed while connected) decides who connects; the others
 * stand by and take over when the lease lapses. Only started when DISCORD_GATEWAY_ENABLED and a
 * bot token are set — tests drive `onDispatch` directly or pass a fake connector.
 */
export function runGateway(
  deps: DiscordDeps,
  discord: DiscordReceiver,
  handler: DiscordDispatchHandler,
  opts: GatewayRunOptions = {},
): Stopper {
  const kv = deps.state.kv;
  const instance = deps.ids.uuid();
  const connector = opts.connector ?? discordJsConnector(deps);
  let connection: { close(): Promise<void> } | undefined;
  let stopping = false;
  let busy = false;

  const events: GatewayEvents = {
    dispatch: (eventName, data) => {
      handler
        .onDispatch(eventName, data)
        .catch((err) => deps.logger.error('discord dispatch failed', { dispatch: eventName, err }));
    },
    connected: (up) => {
      discord.gatewayState.connected = up;
      if (up) deps.logger.system('discord gateway connected', { instance });
    },
  };

  const disconnect = async () => {
    const c = connection;
    connection = undefined;
    discord.gatewayState.connected = false;
    try {
      await c?.close();
    } catch {
      // Already closed: nothing to release.
    }
  };

  const tick = async () => {
    if (stopping || busy) return;
    busy = true;
    try {
      if (connection) {
        if ((await kv.get(GATEWAY_LEADER_KEY)) !== instance) {
          deps.logger.warn('discord gateway lease lost; disconnecting');
          await disconnect();
          return;
        }
        await kv.set(GATEWAY_LEADER_KEY, instance, LEASE_SECONDS);
        return;
      }
      if (!(await kv.setIfAbsent(GATEWAY_LEADER_KEY, instance, LEASE_SECONDS))) return;
      try {
        connection = await connector(events);
      } catch (err) {
        deps.logger.error('discord gateway connection failed', { err });
        await disconnect();
        await kv.del(GATEWAY_LEADER_KEY);
      }
    } finally {
      busy = false;
    }
  };

  const timer = setInterval(
    () => void tick().catch((err) => deps.logger.error('discord gateway lease failed', { err })),
    opts.renewMs ?? 10_000,
  );
  timer.unref();
  void tick().catch((err) => deps.logger.error('discord gateway lease failed', { err }));

  return async () => {
    stopping = true;
    clearInterval(timer);
    while (busy) await new Promise((r) => setTimeout(r, 5));
    if (connection) {
      await disconnect();
      if ((await kv.get(GATEWAY_LEADER_KEY)) === instance) await kv.del(GATEWAY_LEADER_KEY);
    }
  };
}
