import type { Logger } from '@waddlebot/core';
import { expireAssignments } from './label-assignments.js';
import type { LabelDeps } from './label-deps.js';

/** Runs the §1.3 expiry sweep every `intervalMs` (hourly); reads already hide expired rows. */
export function startExpirySweep(deps: Pick<LabelDeps, 'db' | 'clock'>, logger: Logger, intervalMs: number) {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = expireAssignments(deps)
      .then((n) => {
        if (n > 0) logger.system('expired label assignments retired', { rows: n });
      })
      .catch((err: unknown) => logger.error('label expiry sweep failed', { err }))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
