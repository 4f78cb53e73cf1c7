import { Writable } from 'node:stream';
import pino from 'pino';
import { createRedactor } from './redact.js';
import { rotatingFile, syslog, type LogOutput } from './outputs.js';

export type LogCategory =
  'AUTH' | 'AUTHZ' | 'AUDIT' | 'ERROR' | 'SYSTEM' | 'PERFORMANCE' | 'API_REQUEST' | 'GENERAL';

export interface AaaFields {
  action?: string;
  user?: string | null;
  community?: string | number | null;
  result?: string;
  duration_ms?: number;
  [extra: string]: unknown;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  auth(fields: AaaFields, msg?: string): void;
  authz(fields: AaaFields, msg?: string): void;
  audit(fields: AaaFields, msg?: string): void;
  system(msg: string, fields?: Record<string, unknown>): void;
  performance(fields: AaaFields & { durationMs?: number }, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  /** Flushes buffered output (tests read it right after a call). */
  flush(): void;
}

export interface LoggerOptions {
  module: string;
  version?: string;
  level?: string;
  format?: 'json' | 'text' | 'pretty';
  /** Exact values to scrub from every record (SERVICE_API_KEY, tokens from config). */
  secrets?: readonly string[];
  destination?: NodeJS.WritableStream;
  /** Outputs beside the destination (LOG_DIR file, syslog); each gets the same rendered line. */
  outputs?: readonly LogOutput[];
}

export function createLogger(opts: LoggerOptions): Logger {
  const redactor = createRedactor(opts.secrets);
  const dest = opts.destination ?? process.stdout;
  const text = opts.format === 'text' || opts.format === 'pretty';
  const stream = text || opts.outputs?.length ? renderingStream(dest, text, opts.outputs ?? []) : dest;
  const base = pino(
    {
      level: opts.level ?? 'info',
      base: { module: opts.module, version: opts.version ?? '1.0.0' },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redactor.redactValue(obj) as Record<string, unknown>,
      },
      hooks: {
        // The message string can carry a secret too; scrub it before pino formats it.
        logMethod(args, method) {
          const scrubbed = args.map((a) =>
            typeof a === 'string' ? redactor.redactText(a) : a,
          ) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    stream as pino.DestinationStream,
  );
  return wrap(base);
}

function wrap(p: pino.Logger): Logger {
  const withCategory =
    (level: 'info' | 'warn' | 'error', category: LogCategory) => (fields: AaaFields, msg?: string) =>
      p[level]({ category, ...fields }, msg ?? `${category.toLowerCase()} ${fields.action ?? ''}`.trim());
  return {
    debug: (msg, fields) => p.debug({ category: 'GENERAL', ...fields }, msg),
    info: (msg, fields) => p.info({ category: 'GENERAL', ...fields }, msg),
    warn: (msg, fields) => p.warn({ category: 'GENERAL', ...fields }, msg),
    error: (msg, fields) => p.error({ category: 'ERROR', ...fields }, msg),
    auth: withCategory('info', 'AUTH'),
    authz: withCategory('info', 'AUTHZ'),
    audit: withCategory('info', 'AUDIT'),
    system: (msg, fields) => p.info({ category: 'SYSTEM', ...fields }, msg),
    performance: ({ durationMs, ...fields }, msg) =>
      p.info(
        { category: 'PERFORMANCE', duration_ms: durationMs ?? fields.duration_ms, ...fields },
        msg ?? 'performance',
      ),
    child: (bindings) => wrap(p.child(bindings)),
    flush: () => p.flush(),
  };
}

const AAA_FIELDS = ['community', 'user', 'action', 'result'] as const;
const OMIT = new Set([
  'level',
  'time',
  'module',
  'version',
  'category',
  'msg',
  'pid',
  'hostname',
  'duration_ms',
  ...AAA_FIELDS,
]);

/** `[2025-11-20 10:15:02.123] INFO labels:2.0.0 AUDIT community=7 user=42 action=x result=SUCCESS time=12ms msg k=v` */
export function renderAaaLine(record: Record<string, unknown>): string {
  const time = String(record.time ?? new Date().toISOString())
    .replace('T', ' ')
    .replace('Z', '');
  const parts = [
    `[${time}]`,
    String(record.level ?? 'info').toUpperCase(),
    `${record.module}:${record.version}`,
    String(record.category ?? 'GENERAL'),
  ];
  for (const f of AAA_FIELDS)
    if (record[f] !== undefined && record[f] !== null && record[f] !== '') parts.push(`${f}=${record[f]}`);
  if (typeof record.duration_ms === 'number') parts.push(`time=${record.duration_ms}ms`);
  if (record.msg) parts.push(String(record.msg));
  for (const [k, v] of Object.entries(record)) {
    if (OMIT.has(k) || v === undefined) continue;
    parts.push(`${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  return parts.join(' ');
}

/** Renders pino's JSON lines (as AAA text when asked) to the destination and every extra output. */
function renderingStream(
  dest: NodeJS.WritableStream,
  text: boolean,
  outputs: readonly LogOutput[],
): Writable {
  return new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        let record: Record<string, unknown>;
        try {
          record = JSON.parse(line) as Record<string, unknown>;
        } catch {
          record = {};
        }
        const rendered = text && record.msg !== undefined ? renderAaaLine(record) : line;
        dest.write(`${rendered}\n`);
        for (const out of outputs) out.write(rendered, record);
      }
      done();
    },
  });
}

export interface LogOutputSettings {
  module: string;
  LOG_DIR?: string | undefined;
  ENABLE_SYSLOG: boolean;
  SYSLOG_HOST: string;
  SYSLOG_PORT: number;
  SYSLOG_FACILITY: string;
}

/**
 * The outputs the settings ask for. A log directory that cannot be written is not fatal: the
 * service logs to stdout and `problems` says why, for one SYSTEM warning.
 */
export function logOutputsFor(settings: LogOutputSettings): { outputs: LogOutput[]; problems: string[] } {
  const outputs: LogOutput[] = [];
  const problems: string[] = [];
  if (settings.LOG_DIR) {
    try {
      outputs.push(rotatingFile({ dir: settings.LOG_DIR, name: settings.module }));
    } catch (err) {
      problems.push(
        `LOG_DIR ${settings.LOG_DIR} is not writable (${(err as NodeJS.ErrnoException).code ?? 'error'}); logging to stdout only`,
      );
    }
  }
  if (settings.ENABLE_SYSLOG)
    outputs.push(
      syslog({
        host: settings.SYSLOG_HOST,
        port: settings.SYSLOG_PORT,
        facility: settings.SYSLOG_FACILITY,
        appName: settings.module,
      }),
    );
  return { outputs, problems };
}

/** A logger that records JSON lines in memory: tests grep the real rendered output. */
export function createMemoryLogger(opts: Omit<LoggerOptions, 'destination'> = { module: 'test' }) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ ...opts, destination });
  return {
    logger,
    lines,
    records: () =>
      lines.map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return { raw: l };
        }
      }),
  };
}

export { createRedactor };
export { rotatingFile, syslog, SYSLOG_FACILITIES, type LogOutput } from './outputs.js';
