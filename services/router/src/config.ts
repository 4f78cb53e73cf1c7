import { boolVar, intVar, optionalString, z } from '@waddlebot/core';

/** Router env (router-and-receivers §3.1); service URLs and the common variables come from libs/core. */
export const routerConfig = {
  ROUTER_SESSION_TTL: intVar(3600, { min: 60 }),
  ROUTER_SESSION_PREFIX: z.string().default('waddlebot:session:'),
  COMMAND_PREFIXES: z.string().default('!#'),
  ROUTER_REQUEST_TIMEOUT: intVar(30, { min: 1, max: 40 }),
  ROUTER_MAX_RETRIES: intVar(3, { min: 0, max: 10 }),
  ROUTER_RATE_LIMIT_WINDOW: intVar(60, { min: 1 }),
  ROUTER_DEFAULT_RATE_LIMIT: intVar(60, { min: 1 }),
  ROUTER_COMMAND_CACHE_TTL: intVar(300, { min: 0 }),
  ROUTER_ENTITY_CACHE_TTL: intVar(600, { min: 0 }),
  ROUTER_MAX_CONCURRENT: intVar(100, { min: 1 }),
  REPUTATION_ENABLED: boolVar(true),
  ROUTER_UID_CACHE_TTL: intVar(3600, { min: 0 }),
  ROUTER_LABELS_CACHE_TTL: intVar(60, { min: 0 }),
  ROUTER_OUTBOUND_DEDUP_TTL: intVar(86400, { min: 60 }),
  OPENWHISK_AUTH_KEY: optionalString(),
  ROUTER_BOOTSTRAP_ADMIN_KEY: optionalString(),
  /** Back-off before the first module retry (ms); later ones double (1 s, 2 s, 4 s). */
  ROUTER_RETRY_BACKOFF_MS: intVar(1000, { min: 1 }),
};
