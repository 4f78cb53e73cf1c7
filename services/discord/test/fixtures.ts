import type { FakeServer } from '@waddlebot/core/testing';

export const APP_ID = '4242';
export const BOT_TOKEN = 'bot-token-0123456789abcdef';

/** The receiver's env against a fake Discord REST API; the gateway is driven through `onDispatch`. */
export function discordEnv(discord: FakeServer, publicKeyHex?: string): Record<string, string> {
  return {
    DISCORD_API_BASE_URL: discord.url,
    DISCORD_BOT_TOKEN: BOT_TOKEN,
    DISCORD_APPLICATION_ID: APP_ID,
    DISCORD_GATEWAY_ENABLED: 'false',
    ...(publicKeyHex ? { DISCORD_PUBLIC_KEY: publicKeyHex } : {}),
  };
}

export function playDiscord(discord: FakeServer) {
  discord.on('PATCH', /^\/webhooks\/.+\/messages\/@original$/, { body: { id: 'orig' } });
  discord.on('DELETE', /^\/webhooks\/.+\/messages\/@original$/, { status: 204 });
  discord.on('POST', /^\/webhooks\/[^/]+\/[^/]+$/, { body: { id: 'followup' } });
  discord.on('POST', /^\/channels\/[^/]+\/messages$/, { body: { id: 'msg' } });
  discord.on('DELETE', /^\/channels\/[^/]+\/messages\/[^/]+$/, { status: 204 });
  discord.on('POST', '/users/@me/channels', (req) => ({
    body: { id: `dm-${req.json.recipient_id}`, type: 1 },
  }));
  discord.on('GET', /^\/guilds\/[^/]+\/members\/search$/, (req) =>
    req.query.get('query') === 'bobby'
      ? { body: [{ user: { id: '777', username: 'bobbyx' } }, { user: { id: '778', username: 'bobby' } }] }
      : { body: [] },
  );
  discord.on('PUT', `/applications/${APP_ID}/commands`, (req) => ({
    body: req.json.map((c: { name: string }, i: number) => ({ id: String(i + 1), name: c.name })),
  }));
}

let interactionSeq = 0;

/** A type-2 interaction in guild G (default 100) channel 200. */
export function slashInteraction(
  opts: {
    name?: string;
    options?: unknown[];
    guild?: string | null;
    channel?: string;
    permissions?: string;
    userId?: string;
    type?: number;
    data?: Record<string, unknown>;
  } = {},
) {
  interactionSeq++;
  const user = { id: opts.userId ?? '555', username: 'alice', global_name: 'Alice' };
  return {
    id: `ix-${interactionSeq}`,
    application_id: APP_ID,
    type: opts.type ?? 2,
    token: `tok-${interactionSeq}`,
    version: 1,
    channel_id: opts.channel ?? '200',
    ...(opts.guild === null
      ? { user }
      : {
          guild_id: opts.guild ?? '100',
          member: { user, roles: [], permissions: opts.permissions ?? '0', nick: null },
        }),
    data: opts.data ?? {
      id: 'cmd',
      name: opts.name ?? 'command',
      type: 1,
      options: opts.options ?? [
        { name: 'name', type: 3, value: 'so' },
        { name: 'args', type: 3, value: 'bob' },
      ],
    },
  };
}
