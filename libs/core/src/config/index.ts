import { z } from 'zod';
import { SERVICES, defaultServiceUrl, envPrefix } from '../registry.js';
import { SYSLOG_FACILITIES } from '../log/outputs.js';

/** Names whose values must never be printed (config errors, logs). */
export const SECRET_NAME =
  /(key|secret|token|password|passwd|signature|credential|auth|database_url|redis_url|replica_url)/i;

const booleanFromEnv = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off', ''].includes(s)) return false;
  ctx.addIssue({ code: 'custom', message: `expected boolean, got "${v}"` });
  return z.NEVER;
});

/** Integer env var with a default: `PORT`, timeouts, limits. */
export function intVar(defaultValue: number, opts: { min?: number; max?: number } = {}) {
  return z
    .union([z.number(), z.string()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return defaultValue;
      const n = typeof v === 'number' ? v : Number(v.trim());
      if (!Number.isInteger(n)) {
        ctx.addIssue({ code: 'custom', message: `expected integer, got "${v}"` });
        return z.NEVER;
      }
      if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be between ${opts.min ?? '-∞'} and ${opts.max ?? '∞'}, got ${n}`,
        });
        return z.NEVER;
      }
      return n;
    });
}

export function boolVar(defaultValue: boolean) {
  return booleanFromEnv.optional().transform((v) => (v === undefined ? defaultValue : v));
}

export function urlVar(defaultValue: string) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = v === undefined || v === '' ? defaultValue : v.trim();
      try {
        const u = new URL(value);
        if (!['http:', 'https:'].includes(u.protocol)) throw new Error('protocol');
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected an http(s) URL, got "${value}"` });
        return z.NEVER;
      }
      return value.replace(/\/+$/, '');
    });
}

export function optionalString() {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
}

function databaseUrl() {
  return optionalString().transform((v, ctx) => {
    if (v === undefined) return undefined;
    if (!/^postgres(ql)?:\/\//.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'expected a postgresql:// URL' });
      return z.NEVER;
    }
    // The originals accepted postgres:// and normalised it (platform.md §1.1).
    return v.replace(/^postgres:\/\//, 'postgresql://');
  });
}

const serviceUrlVars = Object.fromEntries(
  SERVICES.map((s) => [`${envPrefix(s.name)}_URL`, urlVar(defaultServiceUrl(s.name))]),
) as Record<`${string}_URL`, ReturnType<typeof urlVar>>;

/** Variables every service reads (platform.md §1.1, contracts §16). */
export const commonConfigShape = {
  MODULE_NAME: z.string().min(1),
  MODULE_VERSION: z.string().default('1.0.0'),
  PORT: intVar(8000, { min: 0, max: 65535 }),
  NODE_ENV: z.string().default('development'),
  DATABASE_URL: databaseUrl(),
  READ_REPLICA_URL: databaseUrl(),
  DB_POOL_SIZE: intVar(10, { min: 1, max: 500 }),
  REDIS_URL: optionalString(),
  WADDLEBOT_DATA_DIR: z.string().default('./.data'),
  SERVICE_API_KEY: z.string({ error: 'required' }).min(32, { error: 'must be at least 32 characters' }),
  SECRET_KEY: optionalString(),
  LOG_LEVEL: z
    .string()
    .default('INFO')
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['trace', 'debug', 'info', 'warning', 'warn', 'error', 'fatal', 'silent']))
    .transform((v) => (v === 'warning' ? 'warn' : v)),
  LOG_FORMAT: z.enum(['json', 'text', 'pretty']).default('json'),
  LOG_DIR: optionalString(),
  ENABLE_SYSLOG: boolVar(false),
  SYSLOG_HOST: z.string().default('localhost'),
  SYSLOG_PORT: intVar(514, { min: 1, max: 65535 }),
  SYSLOG_FACILITY: z
    .string()
    .default('LOCAL0')
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(SYSLOG_FACILITIES as [string, ...string[]])),
  REQUEST_TIMEOUT: intVar(30, { min: 1, max: 600 }),
  ALLOWED_ORIGINS: z.string().default('*'),
  TWITCH_API_BASE_URL: urlVar('https://api.twitch.tv/helix'),
  TWITCH_AUTH_BASE_URL: urlVar('https://id.twitch.tv/oauth2'),
  DISCORD_API_BASE_URL: urlVar('https://discord.com/api/v10'),
  SLACK_API_BASE_URL: urlVar('https://slack.com/api'),
  YOUTUBE_API_BASE_URL: urlVar('https://www.googleapis.com/youtube/v3'),
  SPOTIFY_API_BASE_URL: urlVar('https://api.spotify.com/v1'),
  SPOTIFY_ACCOUNTS_BASE_URL: urlVar('https://accounts.spotify.com'),
  OLLAMA_BASE_URL: urlVar('http://ollama:11434'),
  OPENAI_BASE_URL: urlVar('https://api.openai.com/v1'),
  ...serviceUrlVars,
};

export type CommonConfig = z.infer<z.ZodObject<typeof commonConfigShape>> & Record<`${string}_URL`, string>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/**
 * Parses the common variables plus a service's own shape. Throws ConfigError whose lines are
 * `config error: <VAR>: <problem>`; a secret's value is never part of a line.
 */
export function parseConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Env,
): CommonConfig & z.infer<z.ZodObject<S>> {
  const schema = z.object({ ...commonConfigShape, ...shape }).superRefine((parsed, ctx) => {
    const cfg = parsed as { NODE_ENV?: string; SECRET_KEY?: string };
    if (cfg.NODE_ENV === 'production' && cfg.SECRET_KEY === 'change-me-in-production') {
      ctx.addIssue({
        code: 'custom',
        path: ['SECRET_KEY'],
        message: 'the default value is refused in production',
      });
    }
  });
  const result = schema.safeParse(env);
  if (result.success) return result.data as CommonConfig & z.infer<z.ZodObject<S>>;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'config');
    return `config error: ${name}: ${describeIssue(name, issue, env[name])}`;
  });
  throw new ConfigError([...new Set(problems)]);
}

function describeIssue(name: string, issue: z.core.$ZodIssue, raw: string | undefined): string {
  if (raw === undefined && (issue.code === 'invalid_type' || issue.message === 'required')) return 'required';
  let message = issue.message;
  if (issue.code === 'invalid_value' && 'values' in issue) {
    message = `expected one of ${(issue.values as unknown[]).join(', ')}`;
  }
  // A secret's value must never be echoed, even inside zod's message.
  if (raw !== undefined && raw !== '' && SECRET_NAME.test(name)) message = message.split(raw).join('***');
  return message;
}

/**
 * Parse once at start-up; on failure print one line per problem and exit 1 before any port opens.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Env = process.env,
): CommonConfig & z.infer<z.ZodObject<S>> {
  try {
    return parseConfig(shape, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.problems) process.stderr.write(`${line}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** Values of every secret-named variable: the logger scrubs them from any text it writes. */
export function secretValues(config: Record<string, unknown>): string[] {
  return Object.entries(config)
    .filter(
      ([k, v]) => SECRET_NAME.test(k) && !k.endsWith('_BASE_URL') && typeof v === 'string' && v.length >= 8,
    )
    .map(([, v]) => v as string);
}

export { z };
