import { startFakeServer, type FakeServer, type RecordedRequest } from '@waddlebot/core/testing';

export const CLIENT_ID = 'spotify-client-id-for-tests';
export const CLIENT_SECRET = 'spotify-client-secret-never-logged';

/** 22-char Spotify ids for the fake catalogue. */
export const trackId = (n: number) => `T${String(n).padStart(21, '0')}`;

export function fakeTrack(n: number, name = `Song ${n}`, artists = ['Daft Punk', 'Pharrell']) {
  return {
    id: trackId(n),
    uri: `spotify:track:${trackId(n)}`,
    name,
    artists: artists.map((a) => ({ name: a })),
    album: { name: `Album ${n}`, images: [{ url: `https://img.example/${n}.jpg` }] },
    duration_ms: 180_000 + n * 1000,
    external_urls: { spotify: `https://open.spotify.com/track/${trackId(n)}` },
  };
}

/**
 * Spotify accounts (`/authorize`, `/api/token`) and Web API (`/v1/...`) on one recording server.
 * Every code exchange or refresh mints a new numbered access token, so tests can tell which
 * token an API call carried.
 */
export async function startFakeSpotify() {
  const server: FakeServer = await startFakeServer();
  let minted = 0;
  const state = { refreshError: null as null | { status: number; body: unknown } };
  function installDefaults() {
    server.on('POST', '/api/token', (req: RecordedRequest) => {
      const form = new URLSearchParams(req.text);
      if (form.get('grant_type') === 'refresh_token' && state.refreshError) return state.refreshError;
      minted++;
      return {
        body: {
          access_token: `access-${minted}`,
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'user-read-playback-state user-modify-playback-state',
          ...(form.get('grant_type') === 'authorization_code' ? { refresh_token: `refresh-${minted}` } : {}),
        },
      };
    });
    server.on('GET', /^\/v1\/tracks\//, (req) => {
      const id = req.path.split('/').pop()!;
      const n = Number(id.slice(1));
      return { body: fakeTrack(n) };
    });
    server.on('GET', '/v1/search', () => ({
      body: { tracks: { items: [1, 2, 3, 4, 5, 6, 7].map((n) => fakeTrack(n)) } },
    }));
    for (const [method, path] of [
      ['PUT', '/v1/me/player/play'],
      ['PUT', '/v1/me/player/pause'],
      ['POST', '/v1/me/player/next'],
      ['POST', '/v1/me/player/queue'],
    ] as const)
      server.on(method, path, { status: 204 });
    server.on('GET', '/v1/me/player', { status: 204 });
  }
  installDefaults();
  return {
    server,
    apiBase: `${server.url}/v1`,
    accountsBase: server.url,
    /** Forgets recorded requests and per-test answers. */
    reset() {
      server.reset();
      state.refreshError = null;
      minted = 0;
      installDefaults();
    },
    /** Make refreshes fail (e.g. `invalid_grant`) until reset to null. */
    failRefresh(error: null | { status: number; body: unknown }) {
      state.refreshError = error;
    },
    bearerOf: (req: RecordedRequest) => String(req.headers.authorization ?? '').replace(/^Bearer /, ''),
  };
}
export type FakeSpotify = Awaited<ReturnType<typeof startFakeSpotify>>;
