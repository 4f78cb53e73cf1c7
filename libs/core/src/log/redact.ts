/** Keys whose values are secrets wherever they appear in a log record. */
const SECRET_KEY =
  /(token|secret|password|passwd|api[-_]?key|service[-_]?key|^key$|_key$|signature|authorization|cookie|credential|client_secret|private)/i;

/** Shapes of secrets that can hide inside free text (messages, URLs, error strings). */
const SECRET_PATTERNS: RegExp[] = [
  /\bwbot_(?:user_)?[A-Za-z0-9_-]{20,}/g,
  /\b(Bearer|Bot|OAuth)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bsha256=[0-9a-f]{16,}/gi,
  /\bv0=[0-9a-f]{16,}/gi,
  /\b(access_token|refresh_token|client_secret|token|password|api_key|key)=([^&\s"]+)/gi,
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /(postgres(?:ql)?|redis|rediss|amqp):\/\/([^:@/\s]+):([^@/\s]+)@/gi,
];

export const REDACTED = '[REDACTED]';

export function createRedactor(knownSecrets: readonly string[] = []) {
  const secrets = [...new Set(knownSecrets.filter((s) => s.length >= 8))].sort((a, b) => b.length - a.length);

  function redactText(text: string): string {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    for (const p of SECRET_PATTERNS) {
      out = out.replace(p, (match, ...groups) => {
        if (/^(postgres|redis|amqp)/i.test(match)) return `${groups[0]}://${groups[1]}:${REDACTED}@`;
        if (/^(access_token|refresh_token|client_secret|token|password|api_key|key)=/i.test(match)) {
          return `${groups[0]}=${REDACTED}`;
        }
        if (/^(Bearer|Bot|OAuth)\s/i.test(match)) return `${groups[0]} ${REDACTED}`;
        return REDACTED;
      });
    }
    return out;
  }

  function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
    if (typeof value === 'string') return redactText(value);
    if (value === null || typeof value !== 'object' || depth > 8) return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (value instanceof Error) {
      return {
        type: value.name,
        message: redactText(value.message),
        stack: value.stack ? redactText(value.stack) : undefined,
      };
    }
    if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
    if (value instanceof Date) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        SECRET_KEY.test(k) && v !== null && v !== undefined && v !== '' && typeof v !== 'boolean'
          ? REDACTED
          : redactValue(v, depth + 1, seen);
    }
    return out;
  }

  return { redactText, redactValue };
}
