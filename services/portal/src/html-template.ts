import { escapeHtml } from '@waddlebot/core';

/** Markup that is already safe: produced by `html` or `rawHtml`, never by user input. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template for pages: every interpolated value is HTML-escaped unless it is itself
 * `SafeHtml`, so user data (names, descriptions, upstream messages) can never inject markup.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** For constant markup that is assembled in code (inline script/CSS), never for data. */
export function rawHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
