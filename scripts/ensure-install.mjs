// Runs before `npm start` and `npm test`: installs dependencies on a fresh clone, so those two
// commands are the whole set-up. Plain Node, no dependencies of its own.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const marker = 'node_modules/.package-lock.json';
const needsInstall =
  !existsSync('node_modules') ||
  !existsSync(marker) ||
  (existsSync('package-lock.json') &&
    statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs + 1000) ||
  workspaceMissing();

function workspaceMissing() {
  // A service folder added since the last install must be linked into node_modules/@waddlebot.
  try {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
    return Object.keys(lock.packages ?? {})
      .filter((p) => p.startsWith('node_modules/@waddlebot/'))
      .some((p) => !existsSync(p));
  } catch {
    return false;
  }
}

if (needsInstall) {
  console.log('Installing dependencies (first run)…');
  const cmd = existsSync('package-lock.json') ? 'ci' : 'install';
  const res = spawnSync('npm', [cmd, '--no-audit', '--no-fund'], {
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
