import { createSocket, type Socket } from 'node:dgram';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
  existsSync,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * Extra log outputs of platform.md §1.5 beside stdout: a size-rotated file under LOG_DIR and RFC 5424
 * syslog over UDP. Both take already rendered lines, so every output shows the same text.
 */
export interface LogOutput {
  write(line: string, record: Record<string, unknown>): void;
  close(): void;
}

export interface RotatingFileOptions {
  dir: string;
  /** File name without extension: the module name. */
  name: string;
  maxBytes?: number;
  backups?: number;
}

/**
 * `${dir}/${name}.log`, rotated at `maxBytes` (10 MB) keeping `backups` (5) older files as
 * `.log.1` … `.log.5`. Writes are synchronous so a crash never loses the line that explains it.
 * Throws when the directory cannot be written; the caller degrades to stdout.
 */
export function rotatingFile(opts: RotatingFileOptions): LogOutput {
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  const backups = opts.backups ?? 5;
  mkdirSync(opts.dir, { recursive: true });
  const file = path.join(opts.dir, `${opts.name}.log`);
  let fd = openSync(file, 'a');
  let size = fstatSync(fd).size;

  function rotate() {
    closeSync(fd);
    const oldest = `${file}.${backups}`;
    if (existsSync(oldest)) rmSync(oldest);
    for (let i = backups - 1; i >= 1; i--)
      if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    if (backups > 0) renameSync(file, `${file}.1`);
    else rmSync(file);
    fd = openSync(file, 'a');
    size = 0;
  }

  return {
    write(line) {
      const bytes = Buffer.from(`${line}\n`);
      if (size > 0 && size + bytes.length > maxBytes) rotate();
      writeSync(fd, bytes);
      size += bytes.length;
    },
    close() {
      closeSync(fd);
    },
  };
}

const FACILITIES: Record<string, number> = {
  KERN: 0,
  USER: 1,
  DAEMON: 3,
  AUTH: 4,
  SYSLOG: 5,
  LOCAL0: 16,
  LOCAL1: 17,
  LOCAL2: 18,
  LOCAL3: 19,
  LOCAL4: 20,
  LOCAL5: 21,
  LOCAL6: 22,
  LOCAL7: 23,
};
export const SYSLOG_FACILITIES = Object.keys(FACILITIES) as readonly string[];

const SEVERITY: Record<string, number> = { fatal: 2, error: 3, warn: 4, info: 6, debug: 7, trace: 7 };

export interface SyslogOptions {
  host: string;
  port: number;
  facility: string;
  appName: string;
  /** For tests: where datagrams go instead of a UDP socket. */
  send?: (datagram: Buffer) => void;
}

/** RFC 5424 over UDP, fire and forget: a missing syslog daemon never slows or fails a request. */
export function syslog(opts: SyslogOptions): LogOutput {
  const facility = FACILITIES[opts.facility.toUpperCase()] ?? FACILITIES.LOCAL0!;
  const host = hostname() || '-';
  let socket: Socket | undefined;
  const send =
    opts.send ??
    ((datagram: Buffer) => {
      socket ??= createSocket('udp4');
      socket.unref();
      socket.send(datagram, opts.port, opts.host, () => {
        // Delivery errors are ignored: syslog is best effort and stdout keeps every line.
      });
    });
  return {
    write(line, record) {
      const pri = facility * 8 + (SEVERITY[String(record.level)] ?? 6);
      const time = typeof record.time === 'string' ? record.time : new Date().toISOString();
      const msgId = typeof record.category === 'string' ? record.category : '-';
      send(Buffer.from(`<${pri}>1 ${time} ${host} ${opts.appName} ${process.pid} ${msgId} - ${line}`));
    },
    close() {
      socket?.close();
    },
  };
}
