import type { FakeServer } from '@waddlebot/core/testing';

export const SIGNING_SECRET = 'slack-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-bot-token-1234';
export const BOT_USER = 'UBOT';

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
