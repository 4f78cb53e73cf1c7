import { ValidationError } from '@waddlebot/core';
import { commandTargetOf } from './template.js';

export const ALIAS_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const TEMPLATE_MAX_CHARS = 400;

/** `!Hello` → `hello`, or null when that cannot be an alias name (so no alias has it). */
export function aliasNameOf(raw: string): string | null {
  const name = raw.trim().replace(/^!/, '').toLowerCase();
  return ALIAS_NAME.test(name) ? name : null;
}

/** `!Hello` → `hello`; throws when the result is not a valid alias name. */
export function normaliseAliasName(raw: string): string {
  const name = aliasNameOf(raw);
  if (name === null) {
    throw new ValidationError(
      `'${raw.slice(0, 40)}' is not a valid alias name: use 1-32 of a-z, 0-9, _ and -, starting with a letter or digit`,
      [{ path: 'alias', message: 'must match ^[a-z0-9][a-z0-9_-]{0,31}$' }],
    );
  }
  return name;
}

export function assertNotReserved(name: string, reserved: ReadonlySet<string>) {
  if (reserved.has(name)) {
    throw new ValidationError(`!${name} cannot shadow a built-in command`, [
      { path: 'alias', message: 'cannot shadow a built-in command' },
    ]);
  }
}

/** Rules a template must meet on its own; cycles through other aliases need the store. */
export function assertTemplateAllowed(name: string, template: string) {
  if (template.trim().length === 0 || template.length > TEMPLATE_MAX_CHARS) {
    throw new ValidationError(`The alias text must be 1-${TEMPLATE_MAX_CHARS} characters`, [
      { path: 'template', message: `must be 1-${TEMPLATE_MAX_CHARS} characters` },
    ]);
  }
  const target = commandTargetOf(template);
  if (target?.prefix === '!' && target.name === 'alias') {
    throw new ValidationError('An alias cannot run !alias', [
      { path: 'template', message: 'cannot call !alias' },
    ]);
  }
  if (target?.prefix === '!' && target.name === name) {
    throw new ValidationError(`!${name} cannot call itself`, [{ path: 'template', message: 'calls itself' }]);
  }
}

export function parseReservedCommands(list: string): Set<string> {
  return new Set(
    list
      .split(',')
      .map((s) => s.trim().replace(/^!/, '').toLowerCase())
      .filter(Boolean),
  );
}
