/** interaction-modules §8 "Video reference parsing" and duration display. */

const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;
const WATCH_HOSTS = new Set(['youtube.com', 'www.youtube.com', 'm.youtube.com', 'music.youtube.com']);
const SHORT_HOSTS = new Set(['youtu.be', 'www.youtu.be']);

export function isVideoId(text: string): boolean {
  return VIDEO_ID.test(text);
}

/**
 * The video id a chat reference names: a bare 11-char id, a `watch?v=` URL on one of the YouTube
 * hosts or a `youtu.be/<id>` link (scheme optional, as people paste them). Null for anything else.
 */
export function videoIdOf(reference: string): string | null {
  const text = reference.trim();
  if (isVideoId(text)) return text;
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return null;
  }
  if (!['http:', 'https:'].includes(url.protocol)) return null;
  const host = url.hostname.toLowerCase();
  if (WATCH_HOSTS.has(host) && url.pathname === '/watch') {
    const id = url.searchParams.get('v') ?? '';
    return isVideoId(id) ? id : null;
  }
  if (SHORT_HOSTS.has(host)) {
    const id = url.pathname.replace(/^\//, '').replace(/\/$/, '');
    return isVideoId(id) ? id : null;
  }
  return null;
}

export const watchUrlOf = (videoId: string) => `https://www.youtube.com/watch?v=${videoId}`;

/** ISO-8601 as YouTube reports lengths (`PT3M45S`, `PT1H2M`, `P1DT2H`, `P0D`); null when unreadable. */
export function isoDurationSeconds(text: string): number | null {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.\d+)?S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return Number(d) * 86400 + Number(h) * 3600 + Number(min) * 60 + Number(s);
}

/** `m:ss`, or `h:mm:ss` from one hour on; `Unknown` without a length. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return 'Unknown';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
