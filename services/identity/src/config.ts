import { SERVICES, boolVar, intVar, optionalString, urlVar, z } from '@waddlebot/core';

const KNOWN_SERVICES = new Set<string>(SERVICES.map((s) => s.name));

/** contracts §14: every service that stores user keys implements `/internal/user-merged`. */
const DEFAULT_MERGE_SUBSCRIBERS =
  'router,reputation,community,labels,inventory,calendar,memories,shoutout,ai,alias,youtube-music,spotify';

function serviceListVar(defaultValue: string) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      const raw = v === undefined ? defaultValue : v;
      const names = [
        ...new Set(
          raw
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      const unknown = names.filter((n) => !KNOWN_SERVICES.has(n));
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `unknown service name(s): ${unknown.join(', ')}` });
        return z.NEVER;
      }
      return names;
    });
}

/** Identity's own variables (core-and-admin §3.6); the platform base URLs are common ones. */
export const identityConfig = {
  MAX_API_KEYS_PER_USER: intVar(5, { min: 1, max: 1000 }),
  API_KEY_DEFAULT_EXPIRY_DAYS: intVar(365, { min: 1, max: 3650 }),
  VERIFICATION_CODE_LENGTH: intVar(6, { min: 4, max: 10 }),
  VERIFICATION_TIMEOUT_MINUTES: intVar(10, { min: 1, max: 1440 }),
  RESEND_COOLDOWN_SECONDS: intVar(60, { min: 0, max: 86_400 }),
  MAX_VERIFICATION_ATTEMPTS: intVar(5, { min: 1, max: 100 }),
  WHISPER_RETRY_ATTEMPTS: intVar(3, { min: 0, max: 10 }),
  /** Seconds between attempts to hand a verification code to the router. */
  WHISPER_RETRY_DELAY: intVar(5, { min: 0, max: 600 }),
  RATE_LIMIT_REQUESTS: intVar(60, { min: 1, max: 100_000 }),
  RATE_LIMIT_WINDOW: intVar(60, { min: 1, max: 86_400 }),
  USER_MERGE_SUBSCRIBERS: serviceListVar(DEFAULT_MERGE_SUBSCRIBERS),
  /** Real-time pauses (ms) of the in-process retries of a merge notification before the poller takes over. */
  MERGE_NOTIFY_QUICK_RETRY_MS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const parts = (v ?? '1000,2000,4000')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(Number);
      if (parts.some((n) => !Number.isInteger(n) || n < 0)) {
        ctx.addIssue({ code: 'custom', message: 'expected comma-separated milliseconds' });
        return z.NEVER;
      }
      return parts;
    }),
  /** First back-off step (s) of a stored merge notification; doubles per failure up to an hour. */
  MERGE_NOTIFY_BACKOFF_SECONDS: intVar(30, { min: 0, max: 3600 }),
  MERGE_NOTIFY_POLL_MS: intVar(15_000, { min: 10, max: 3_600_000 }),
  ENABLE_OAUTH_PROVIDERS: boolVar(true),
  ENABLE_TWITCH_OAUTH: boolVar(true),
  ENABLE_DISCORD_OAUTH: boolVar(true),
  ENABLE_SLACK_OAUTH: boolVar(true),
  TWITCH_OAUTH_CLIENT_ID: optionalString(),
  TWITCH_OAUTH_CLIENT_SECRET: optionalString(),
  TWITCH_OAUTH_REDIRECT_URI: optionalString(),
  DISCORD_OAUTH_CLIENT_ID: optionalString(),
  DISCORD_OAUTH_CLIENT_SECRET: optionalString(),
  DISCORD_OAUTH_REDIRECT_URI: optionalString(),
  SLACK_OAUTH_CLIENT_ID: optionalString(),
  SLACK_OAUTH_CLIENT_SECRET: optionalString(),
  SLACK_OAUTH_REDIRECT_URI: optionalString(),
  /** Where the browser goes to authorize; server-side calls use the *_BASE_URL variables. */
  TWITCH_OAUTH_AUTHORIZE_URL: urlVar('https://id.twitch.tv/oauth2/authorize'),
  DISCORD_OAUTH_AUTHORIZE_URL: urlVar('https://discord.com/api/oauth2/authorize'),
  SLACK_OAUTH_AUTHORIZE_URL: urlVar('https://slack.com/oauth/v2/authorize'),
  OAUTH_STATE_TTL: intVar(600, { min: 30, max: 3600 }),
  PORTAL_PUBLIC_URL: urlVar('http://localhost:8080'),
  /** Lifetime (h) of a portal temporary password (core-and-admin §7.4). */
  TEMP_PASSWORD_TTL_HOURS: intVar(24, { min: 1, max: 720 }),
  JWT_EXPIRES_SECONDS: intVar(86_400, { min: 60, max: 2_592_000 }),
};

export type IdentityConfigShape = typeof identityConfig;
