import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Logger } from '@waddlebot/core';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** True when the message left the portal (SMTP accepted it, or the dev outbox holds it). */
  send(message: MailMessage): Promise<boolean>;
}

export interface SmtpSettings {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** STARTTLS required (or implicit TLS on port 465); credentials never cross in clear text. */
  tls: boolean;
  from: string;
  timeoutMs: number;
}

/**
 * SMTP when SMTP_HOST is set. Without it (development) the mail is written to a file in
 * WADDLEBOT_DATA_DIR/portal-outbox instead of the log, because it carries a password and
 * passwords must never reach the logs; production without SMTP sends nothing.
 */
export function createMailer(opts: {
  smtp: SmtpSettings | null;
  outboxDir: string | null;
  logger: Logger;
}): Mailer {
  const { logger } = opts;
  return {
    async send(message) {
      if (opts.smtp) {
        try {
          await sendSmtp(opts.smtp, message);
          logger.info('mail sent', { to: message.to, subject: message.subject });
          return true;
        } catch (err) {
          logger.error('mail delivery failed', { to: message.to, reason: (err as Error).message });
          return false;
        }
      }
      if (!opts.outboxDir) {
        logger.warn('mail not sent: SMTP_HOST is not set', { to: message.to, subject: message.subject });
        return false;
      }
      try {
        await mkdir(opts.outboxDir, { recursive: true, mode: 0o700 });
        const file = join(opts.outboxDir, `${Date.now()}-${randomUUID()}.eml`);
        await writeFile(file, formatMessage('portal@localhost', message), { mode: 0o600 });
        logger.warn('SMTP_HOST is not set: mail written to the development outbox', {
          to: message.to,
          subject: message.subject,
          file,
        });
        return true;
      } catch (err) {
        logger.error('could not write the development outbox', { reason: (err as Error).message });
        return false;
      }
    },
  };
}

function formatMessage(from: string, m: MailMessage): string {
  const body = m.text.replace(/\r?\n/g, '\r\n');
  return [
    `From: ${from}`,
    `To: ${m.to}`,
    `Subject: ${m.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@waddlebot.portal>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
  ].join('\r\n');
}

/** Reads SMTP replies (possibly multi-line: `250-…` then `250 …`) in order. */
class ReplyReader {
  private buffer = '';
  private lines: string[] = [];
  private waiting: { resolve: (r: { code: number; lines: string[] }) => void; reject: (e: Error) => void }[] =
    [];
  private ready: { code: number; lines: string[] }[] = [];
  private failure: Error | null = null;

  attach(socket: Socket | TLSSocket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.push(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  private push(chunk: string) {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = { code: Number(line.slice(0, 3)), lines: this.lines };
        this.lines = [];
        const w = this.waiting.shift();
        if (w) w.resolve(reply);
        else this.ready.push(reply);
      }
    }
  }

  private fail(err: Error) {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }

  next(): Promise<{ code: number; lines: string[] }> {
    const r = this.ready.shift();
    if (r) return Promise.resolve(r);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }
}

async function sendSmtp(s: SmtpSettings, message: MailMessage): Promise<void> {
  const implicitTls = s.tls && s.port === 465;
  let socket: Socket | TLSSocket = await open(s, implicitTls);
  let reader = new ReplyReader();
  reader.attach(socket);
  const timer = setTimeout(() => socket.destroy(new Error('SMTP timed out')), s.timeoutMs);
  try {
    const expect = async (codes: number[], step: string) => {
      const reply = await reader.next();
      if (!codes.includes(reply.code)) throw new Error(`SMTP ${step} answered ${reply.code}`);
      return reply;
    };
    const command = async (line: string, codes: number[], step: string) => {
      socket.write(`${line}\r\n`);
      return expect(codes, step);
    };
    await expect([220], 'greeting');
    let ehlo = await command('EHLO waddlebot-portal', [250], 'EHLO');
    if (s.tls && !implicitTls) {
      if (!ehlo.lines.some((l) => /^250[- ]STARTTLS/i.test(l)))
        throw new Error('SMTP server does not offer STARTTLS (set SMTP_TLS=false to allow plain text)');
      await command('STARTTLS', [220], 'STARTTLS');
      socket.removeAllListeners('data');
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      socket = await upgrade(socket as Socket, s.host);
      reader = new ReplyReader();
      reader.attach(socket);
      ehlo = await command('EHLO waddlebot-portal', [250], 'EHLO');
    }
    if (s.username) {
      const plain = Buffer.from(`\u0000${s.username}\u0000${s.password ?? ''}`).toString('base64');
      await command(`AUTH PLAIN ${plain}`, [235], 'AUTH');
    }
    await command(`MAIL FROM:<${s.from}>`, [250], 'MAIL FROM');
    await command(`RCPT TO:<${message.to}>`, [250, 251], 'RCPT TO');
    await command('DATA', [354], 'DATA');
    // Dot-stuffing: a body line starting with "." would otherwise end the message early.
    const data = formatMessage(s.from, message)
      .split('\r\n')
      .map((l) => (l.startsWith('.') ? `.${l}` : l))
      .join('\r\n');
    await command(`${data}\r\n.`, [250], 'message');
    socket.write('QUIT\r\n');
  } finally {
    clearTimeout(timer);
    socket.end();
  }
}

function open(s: SmtpSettings, implicitTls: boolean): Promise<Socket | TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = implicitTls
      ? tlsConnect({ host: s.host, port: s.port, servername: s.host }, () => resolve(socket))
      : netConnect({ host: s.host, port: s.port }, () => resolve(socket));
    socket.once('error', reject);
    socket.setTimeout(s.timeoutMs, () => socket.destroy(new Error('SMTP connect timed out')));
  });
}

function upgrade(plain: Socket, host: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ socket: plain, servername: host }, () => resolve(secure));
    secure.once('error', reject);
  });
}
