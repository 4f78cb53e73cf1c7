/** A Spotify track id: 22 base-62 characters. */
const TRACK_ID = /^[A-Za-z0-9]{22}$/;
/** Up to three digits: a number into the caller's latest search, never a track id. */
const RESULT_NUMBER = /^\d{1,3}$/;
const OPEN_HOSTS = new Set(['open.spotify.com', 'play.spotify.com']);

export type TrackReference = { kind: 'track'; id: string; uri: string } | { kind: 'result'; index: number };

const track = (id: string): TrackReference => ({ kind: 'track', id, uri: `spotify:track:${id}` });

/**
 * `!spotify play|queue` references (interaction-modules §9): `spotify:track:ID`,
 * `open.spotify.com/track/ID[?si=…]` (with or without scheme, with an `intl-xx` segment), a bare
 * 22-char id, or a 1-based result number. Anything else is null ("Invalid track reference").
 */
export function parseTrackReference(input: string): TrackReference | null {
  const ref = input.trim();
  if (RESULT_NUMBER.test(ref)) {
    const index = Number(ref);
    return index >= 1 ? { kind: 'result', index } : null;
  }
  if (TRACK_ID.test(ref)) return track(ref);
  const uri = /^spotify:track:([A-Za-z0-9]{22})$/.exec(ref);
  if (uri) return track(uri[1]!);
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(ref) ? ref : `https://${ref}`);
  } catch {
    return null;
  }
  if (!['http:', 'https:'].includes(url.protocol) || !OPEN_HOSTS.has(url.hostname.toLowerCase())) return null;
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments[0]?.startsWith('intl-')) segments.shift();
  if (segments.length !== 2 || segments[0] !== 'track' || !TRACK_ID.test(segments[1]!)) return null;
  return track(segments[1]!);
}
