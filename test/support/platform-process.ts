import { spawn, type ChildProcess } from 'node:child_process';
import { SERVICES, envPrefix, serviceInfo } from '@waddlebot/core';
import { ROOT } from '../../scripts/deploy-manifests.js';

/**
 * `npm start` as a child process, on the canonical ports moved by `portOffset` so a developer's
 * own platform on this machine is never touched and two test files never share a port.
 */
export interface PlatformProcess {
  child: ChildProcess;
  output(): string;
  url(service: string): string;
  waitReady(names: string[], deadlineMs: number): Promise<string[]>;
  stop(): Promise<number | null>;
}

/**
 * Port offsets of the spawned platforms: canonical ports + offset stay below 32768, outside
 * Linux's ephemeral range, so no fake server or client socket of a parallel test file can take
 * one first (38000 did collide). One offset per test file: they run in parallel.
 */
export const LAUNCHER_PORT_OFFSET = 20000;
export const CHAT_E2E_PORT_OFFSET = 21000;

const running: ChildProcess[] = [];

/** Kills whatever a failed test left running; call from afterAll. */
export function killPlatformProcesses() {
  for (const c of running) if (c.exitCode === null) c.kill('SIGKILL');
}

/**
 * The test process's environment without what vitest adds for Vite (BASE_URL, MODE, DEV, PROD,
 * SSR): `BASE_URL=/` would be read as browser-source's public origin and refused.
 */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR']) delete env[name];
  return env;
}

export function startPlatform(opts: {
  dataDir: string;
  portOffset: number;
  env?: Record<string, string>;
}): PlatformProcess {
  const url = (service: string) => `http://127.0.0.1:${serviceInfo(service).port + opts.portOffset}`;
  const ports = Object.fromEntries(
    SERVICES.map((s) => [`${envPrefix(s.name)}_PORT`, String(s.port + opts.portOffset)]),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'scripts/start.ts'], {
    cwd: ROOT,
    env: {
      ...inheritedEnv(),
      ...ports,
      WADDLEBOT_DATA_DIR: opts.dataDir,
      DATABASE_URL: '',
      REDIS_URL: '',
      SERVICE_API_KEY: '',
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));

  return {
    child,
    output: () => out,
    url,
    async waitReady(names, deadlineMs) {
      const end = Date.now() + deadlineMs;
      const pending = new Set(names);
      while (pending.size && Date.now() < end && child.exitCode === null) {
        for (const name of [...pending]) {
          try {
            if ((await fetch(`${url(name)}/readyz`)).status === 200) pending.delete(name);
          } catch {
            // not listening yet
          }
        }
        if (pending.size) await new Promise((r) => setTimeout(r, 250));
      }
      return [...pending];
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      });
    },
  };
}
