export interface SplitLimits {
  /** Texts up to this length go out unchanged. */
  maxLength: number;
  /** Length of each chunk once a text must be split (Twitch splits at 490 below its 500 limit). */
  chunkLength?: number;
  /** Chunks per reply; the rest is cut and the last chunk ends with an ellipsis. */
  maxChunks: number;
}

export const TWITCH_CHAT_LIMITS: SplitLimits = { maxLength: 500, chunkLength: 490, maxChunks: 3 };
export const DISCORD_CHAT_LIMITS: SplitLimits = { maxLength: 2000, maxChunks: 3 };
export const SLACK_CHAT_LIMITS: SplitLimits = { maxLength: 4000, maxChunks: 3 };

/** Splits a reply to a platform's message limit at word boundaries (contracts §11, §12). */
export function splitText(text: string, limits: SplitLimits): string[] {
  const chars = Array.from(text);
  if (chars.length <= limits.maxLength) return [text];
  const size = limits.chunkLength ?? limits.maxLength;
  const chunks: string[] = [];
  let rest = chars;
  while (rest.length > 0 && chunks.length < limits.maxChunks) {
    if (rest.length <= size) {
      chunks.push(rest.join(''));
      rest = [];
      break;
    }
    let cut = size;
    // Break at the last whitespace inside the chunk; a single over-long word is cut hard.
    for (let i = size; i > size / 2; i--) {
      if (/\s/.test(rest[i]!)) {
        cut = i;
        break;
      }
    }
    chunks.push(rest.slice(0, cut).join('').trimEnd());
    rest = Array.from(rest.slice(cut).join('').trimStart());
  }
  if (rest.length > 0) {
    const last = Array.from(chunks[chunks.length - 1]!);
    chunks[chunks.length - 1] =
      last
        .slice(0, size - 1)
        .join('')
        .trimEnd() + '…';
  }
  return chunks.filter((c) => c.length > 0);
}
