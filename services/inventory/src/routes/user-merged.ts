import { UserMergedSchema, ok, readJson, type App, type ServiceDeps, type UserMerged } from '@waddlebot/core';

/** `POST /internal/user-merged` (contracts §14): identity tells us a uid was merged into another. */
export function mountUserMergedRoute(app: App, deps: ServiceDeps, merge: (m: UserMerged) => Promise<number>) {
  app.post('/internal/user-merged', deps.auth.require('service'), async (c) => {
    const body = await readJson(c, UserMergedSchema);
    const moved = await merge(body);
    deps.logger.audit({
      action: 'user_merged',
      user: body.into_uid,
      result: 'SUCCESS',
      from_uid: body.from_uid,
      rows: moved,
    });
    return ok(c, { merged: true as const });
  });
}
