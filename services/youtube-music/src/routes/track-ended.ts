import { createRoute } from '@hono/zod-openapi';
import { z, type App, type ServiceDeps } from '@waddlebot/core';
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

const TrackEndedAnswer = z.object({ status: z.enum(['processed', 'ignored']) });

/**
 * The player's end-of-track report (interaction-modules §8 "Track end"), forwarded by
 * browser-source with the service key (contracts §17.6); `/youtube/music/webhook` is the original
 * path. Flat protocol body: `{status:"processed"}`, or `{status:"ignored"}` for other types and
 * for a report about a track that is no longer playing.
 */
export function mountTrackEndedRoute(app: App, deps: ServiceDeps, store: MusicStoreDeps) {
  for (const path of ['/youtube/music/track-ended', '/youtube/music/webhook']) {
    app.openapi(
      createRoute({
        method: 'post',
        path,
        summary: 'A YouTube track ended on the media overlay: advance the queue',
        middleware: [deps.auth.require('service')] as const,
        request: { body: { required: true, content: { 'application/json': { schema: TrackEnded } } } },
        responses: {
          200: { description: 'handled', content: { 'application/json': { schema: TrackEndedAnswer } } },
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        if (body.type !== 'track_ended') return c.json({ status: 'ignored' as const }, 200);
        const outcome = await advance(store, body.community_id, body.video_id);
        deps.logger.info('track ended', {
          community: body.community_id,
          video_id: body.video_id,
          outcome: outcome.kind,
        });
        return c.json(
          { status: outcome.kind === 'unchanged' ? ('ignored' as const) : ('processed' as const) },
          200,
        );
      },
    );
  }
}
