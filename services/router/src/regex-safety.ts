/**
 * Rejects regex patterns prone to catastrophic backtracking (§3.9 "safe-regex check"): a
 * quantified group that itself contains a quantifier (star height > 1, e.g. `(a+)+`, `(.*)*`),
 * back-references, and very long patterns. Conservative: some harmless patterns are refused too.
 */
export const MAX_PATTERN_LENGTH = 500;

export function regexProblem(pattern: string, flags = ''): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `pattern longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern, flags);
  } catch {
    return 'invalid regular expression';
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'back-references are not allowed';
  // Walk the pattern tracking, per open group, whether it contains a quantifier.
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      continue;
    }
    if (ch === '(') {
      stack.push(false);
      continue;
    }
    const quantifierAt = (j: number) => {
      const c = pattern[j];
      return c === '*' || c === '+' || (c === '{' && /^\{\d*,?\d*\}/.test(pattern.slice(j)));
    };
    if (ch === ')') {
      const innerQuantified = stack.pop() ?? false;
      if (quantifierAt(i + 1) && innerQuantified) return 'nested quantifiers are not allowed';
      if (stack.length && (innerQuantified || quantifierAt(i + 1))) stack[stack.length - 1] = true;
      continue;
    }
    if (quantifierAt(i) && stack.length) stack[stack.length - 1] = true;
  }
  return null;
}
