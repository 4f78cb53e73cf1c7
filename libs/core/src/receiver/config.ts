import { z } from 'zod';

/** Env every receiver reads besides its platform credentials. */
export const receiverConfigShape = {
  /** Waits before the 2nd and 3rd router attempt after a 5xx/connection error (§4.1: 1 s, 3 s). */
  RECEIVER_RETRY_DELAYS_MS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return [1000, 3000];
      const delays = v.split(',').map((s) => Number(s.trim()));
      if (delays.some((d) => !Number.isInteger(d) || d < 0 || d > 60_000)) {
        ctx.addIssue({ code: 'custom', message: 'expected comma-separated milliseconds, e.g. "1000,3000"' });
        return z.NEVER;
      }
      return delays;
    }),
};
