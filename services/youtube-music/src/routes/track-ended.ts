import { readJson, z, type App, type ServiceDeps } from '@waddlebot/core';
import { advance, type MusicStoreDeps } from '../music-store.js';

const TrackEnded = z.object({
  type: z.string().min(1).max(50),
  community_id: z
    .union([z.string(), z.number().int().nonnegative()])
    .transform((v) => String(v))
    .pipe(z.string().regex(/^\d{1,18}$/, 'must be a decimal community id'))
    .transform((v) => String(Number(v))),
  /** The track the player finished; when given, only that track is ended. */
  video_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{11}$/, 'must be an 11-character video id')
    .optional(),
});

/**
 * The player's end-of-track report (interaction-modules §8 "Track end"), forwarded by
 * browser-source with the service key (contracts §17.6); `/youtube/music/webhook` is the original
 * path. Flat protocol body: `{status:"processed"}` or `{status:"ignored"}`.
 */
export function mountTrackEndedRoute(app: App, deps: ServiceDeps, store: MusicStoreDeps) {
  for (const path of ['/youtube/music/track-ended', '/youtube/music/webhook']) {
    app.post(path, deps.auth.require('service'), async (c) => {
      const body = await readJson(c, TrackEnded);
      if (body.type !== 'track_ended') return c.json({ status: 'ignored' });
      const outcome = await advance(store, body.community_id, body.video_id);
      deps.logger.info('track ended', {
        community: body.community_id,
        video_id: body.video_id,
        outcome: outcome.kind,
      });
      return c.json({ status: outcome.kind === 'unchanged' ? 'ignored' : 'processed' });
    });
  }
}
