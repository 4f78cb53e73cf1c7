/** The three overlay kinds, one secret URL each (core-and-admin §2). */
export const SOURCE_TYPES = ['ticker', 'media', 'general'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export function isSourceType(value: string): value is SourceType {
  return (SOURCE_TYPES as readonly string[]).includes(value);
}
