import { startFakeServer, type FakeServer } from '@waddlebot/core/testing';

export interface FakeChannel {
  id: string;
  login: string;
  display_name: string;
  description?: string;
  profile_image_url?: string;
  game_name?: string;
  title?: string;
  live?: { game_name: string; title: string; viewer_count: number };
  clips?: { id: string; url: string; embed_url: string; title: string }[];
}

export interface FakeTwitch {
  helix: FakeServer;
  id: FakeServer;
  channels: Map<string, FakeChannel>;
  /** Answer the next N Helix calls with this status (401 to force a token refresh, 500 to fail). */
  failNext(status: number, times?: number): void;
  tokensIssued(): number;
  close(): Promise<void>;
}

/** Twitch Helix + the Twitch id server: client-credential tokens and the look-ups shoutout makes. */
export async function startFakeTwitch(clientId: string, clientSecret: string): Promise<FakeTwitch> {
  const channels = new Map<string, FakeChannel>();
  const valid = new Set<string>();
  let issued = 0;
  let failures: { status: number; left: number } | null = null;
  const id = await startFakeServer();
  id.on('POST', '/token', (req) => {
    if (req.query.get('client_id') !== clientId || req.query.get('client_secret') !== clientSecret) {
      return { status: 400, body: { status: 400, message: 'invalid client secret' } };
    }
    if (req.query.get('grant_type') !== 'client_credentials')
      return { status: 400, body: { message: 'bad grant' } };
    const token = `app-token-${++issued}`;
    valid.add(token);
    return { status: 200, body: { access_token: token, expires_in: 5000000, token_type: 'bearer' } };
  });
  const helix = await startFakeServer((req) => {
    if (failures && failures.left > 0) {
      failures.left--;
      const status = failures.status;
      if (status === 401) valid.clear();
      return { status, body: { error: 'fail', status } };
    }
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (req.headers['client-id'] !== clientId || !valid.has(token))
      return { status: 401, body: { error: 'Unauthorized' } };
    const byId = (key: string) => [...channels.values()].find((c) => c.id === req.query.get(key));
    switch (req.path) {
      case '/users': {
        const c = channels.get(req.query.get('login') ?? '');
        const data = c
          ? [
              {
                id: c.id,
                login: c.login,
                display_name: c.display_name,
                description: c.description ?? '',
                profile_image_url: c.profile_image_url ?? '',
                broadcaster_type: 'affiliate',
              },
            ]
          : [];
        return { status: 200, body: { data } };
      }
      case '/channels': {
        const c = byId('broadcaster_id');
        return {
          status: 200,
          body: {
            data: c ? [{ broadcaster_id: c.id, game_name: c.game_name ?? '', title: c.title ?? '' }] : [],
          },
        };
      }
      case '/streams': {
        const c = byId('user_id');
        return { status: 200, body: { data: c?.live ? [{ user_id: c.id, type: 'live', ...c.live }] : [] } };
      }
      case '/clips': {
        const c = byId('broadcaster_id');
        return { status: 200, body: { data: c?.clips ?? [] } };
      }
      default:
        return undefined;
    }
  });
  return {
    helix,
    id,
    channels,
    failNext(status, times = 1) {
      failures = { status, left: times };
    },
    tokensIssued: () => issued,
    close: async () => {
      await helix.close();
      await id.close();
    },
  };
}
