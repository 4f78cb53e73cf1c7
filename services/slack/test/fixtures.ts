import type { FakeServer, RecordedRequest } from '@waddlebot/core/testing';

export const SIGNING_SECRET = 'slack-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-bot-token-1234';
export const BOT_USER = 'UBOT';

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
  const so = /^!so\s+@?(\S+)/.exec(text);
  if (so)
    return {
      ...base,
      outcome: 'executed',
      command: 'so',
      replies: [{ type: 'chat', text: `${so[1]} is awesome, go follow!` }],
    };
  if (text.startsWith('!nope') && event.message_type === 'slashCommand') {
    return {
      ...base,
      success: false,
      outcome: 'unknown_command',
      command: 'nope',
      replies: [{ type: 'chat', text: 'Unknown command !nope', ephemeral: true }],
      error: { code: 'UNKNOWN_COMMAND', message: 'x' },
    };
  }
  return {
    ...base,
    outcome: event?.message_type === 'chatMessage' ? 'not_command' : 'event',
    command: null,
    replies: [],
  };
}

export function playRouter(router: FakeServer, delayMs = 0) {
  router.on('POST', '/router/events', (req: RecordedRequest) => ({
    status: 200,
    body: routerResultFor(req.json),
    delayMs,
  }));
}

export function playSlack(slack: FakeServer) {
  slack.on('POST', '/api/chat.postMessage', (req) => ({
    body: { ok: true, channel: req.json.channel, ts: '1700000000.000100' },
  }));
  slack.on('POST', '/api/conversations.open', (req) => ({
    body: { ok: true, channel: { id: `D-${req.json.users}` } },
  }));
  slack.on('GET', '/api/users.info', (req) => {
    const id = req.query.get('user');
    if (id === 'UOWNER')
      return {
        body: {
          ok: true,
          user: {
            id,
            team_id: 'T1',
            name: 'boss',
            is_owner: true,
            is_primary_owner: true,
            profile: { display_name: 'Boss' },
          },
        },
      };
    if (id === 'UADMIN')
      return {
        body: {
          ok: true,
          user: { id, team_id: 'T1', name: 'admin1', is_admin: true, profile: { display_name: '' } },
        },
      };
    if (id === 'UGONE') return { body: { ok: false, error: 'user_not_found' } };
    return {
      body: {
        ok: true,
        user: { id, team_id: 'T1', name: 'alice', real_name: 'Alice A', profile: { display_name: 'Alice' } },
      },
    };
  });
  slack.on('GET', '/api/users.list', (req) =>
    req.query.get('cursor') === 'page2'
      ? {
          body: {
            ok: true,
            members: [{ id: 'UCAROL', team_id: 'T1', name: 'carol', profile: { display_name: 'Carol' } }],
            response_metadata: { next_cursor: '' },
          },
        }
      : {
          body: {
            ok: true,
            members: [{ id: 'UDAVE', team_id: 'T1', name: 'dave', profile: {} }],
            response_metadata: { next_cursor: 'page2' },
          },
        },
  );
  slack.on('POST', /^\/hooks\//, { status: 200, body: 'ok' });
}
