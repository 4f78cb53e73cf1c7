import type { FakeServer, RecordedRequest } from '@waddlebot/core/testing';

export const APP_ID = '4242';
export const BOT_TOKEN = 'bot-token-0123456789abcdef';

/** RouterResults as the router's reply policy (§2.3) would answer them. */
export function routerResultFor(event: any) {
  const base = {
    success: true,
    session_id: 's-1',
    execution_id: 'e-1',
    processed: true,
    module_responses: [],
    event_modules_executed: 0,
    error: null,
  };
  const text: string = event?.message_content ?? '';
  const slash = event?.message_type === 'slashCommand';
  const so = /^!so\s+@?(\S+)/.exec(text);
  if (so)
    return {
      ...base,
      outcome: 'executed',
      command: 'so',
      replies: [
        { type: 'chat', text: `${so[1]} is awesome, go follow!`, reply_to: event.metadata?.message_id },
      ],
    };
  if (text.startsWith('!nope')) {
    return {
      ...base,
      success: false,
      outcome: 'unknown_command',
      command: 'nope',
      replies: slash ? [{ type: 'chat', text: 'Unknown command !nope', ephemeral: true }] : [],
      error: { code: 'UNKNOWN_COMMAND', message: 'Unknown command !nope' },
    };
  }
  if (text.startsWith('!two'))
    return {
      ...base,
      outcome: 'executed',
      command: 'two',
      replies: [
        { type: 'chat', text: 'one' },
        { type: 'chat', text: 'two' },
      ],
    };
  if (text.startsWith('!quiet')) return { ...base, outcome: 'executed', command: 'quiet', replies: [] };
  return {
    ...base,
    outcome: event?.message_type === 'chatMessage' ? 'not_command' : 'event',
    command: null,
    replies: [],
  };
}

export function playRouter(router: FakeServer) {
  router.on('POST', '/router/events', (req: RecordedRequest) => ({
    status: 200,
    body: routerResultFor(req.json),
  }));
  router.on('GET', '/router/commands', {
    body: {
      success: true,
      data: {
        commands: [
          { command: '!so', description: 'Shout out' },
          { command: '!song', description: 'Now playing' },
          { command: '!help', description: '' },
        ],
        total: 3,
      },
    },
  });
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
