import { describe, expect, it } from 'vitest';
import { formatDuration, isoDurationSeconds, videoIdOf } from '../src/video-reference.js';
import { decodeEntities } from '../src/youtube-api.js';

describe('videoIdOf', () => {
  it.each([
    ['dQw4w9WgXcQ', 'dQw4w9WgXcQ'],
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'dQw4w9WgXcQ'],
    ['http://youtube.com/watch?feature=share&v=a-b_c-d_e-f', 'a-b_c-d_e-f'],
    ['https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42', 'dQw4w9WgXcQ'],
    ['music.youtube.com/watch?v=dQw4w9WgXcQ', 'dQw4w9WgXcQ'],
    ['https://youtu.be/dQw4w9WgXcQ', 'dQw4w9WgXcQ'],
    ['youtu.be/dQw4w9WgXcQ?si=xyz', 'dQw4w9WgXcQ'],
  ])('%s → %s', (ref, id) => expect(videoIdOf(ref)).toBe(id));

  it.each([
    'dQw4w9WgXc',
    'dQw4w9WgXcQQ',
    'dQw4w9WgX!Q',
    'https://vimeo.com/watch?v=dQw4w9WgXcQ',
    'https://www.youtube.com/embed/dQw4w9WgXcQ',
    'https://www.youtube.com/watch?v=short',
    'https://youtu.be/dQw4w9WgXcQ/extra',
    'https://evil.com/youtu.be/dQw4w9WgXcQ',
    'ftp://youtu.be/dQw4w9WgXcQ',
    '',
  ])('rejects %s', (ref) => expect(videoIdOf(ref)).toBeNull());
});

describe('durations', () => {
  it.each([
    ['PT3M45S', '3:45'],
    ['PT45S', '0:45'],
    ['PT1H', '1:00:00'],
    ['PT1H2M3S', '1:02:03'],
    ['PT10M5S', '10:05'],
    ['P1DT1M', '24:01:00'],
    ['P0D', '0:00'],
  ])('%s → %s', (iso, shown) => expect(formatDuration(isoDurationSeconds(iso))).toBe(shown));

  it.each(['', 'PT', 'P', '3:45', 'PTXM', 'garbage'])('%s → Unknown', (iso) =>
    expect(formatDuration(isoDurationSeconds(iso))).toBe('Unknown'),
  );
});

describe('decodeEntities', () => {
  it('decodes the entities YouTube puts into snippet titles', () => {
    expect(decodeEntities('Rock &amp; Roll &#39;n&#x27; &quot;Soul&quot; &lt;3 &bogus;')).toBe(
      `Rock & Roll 'n' "Soul" <3 &bogus;`,
    );
  });
});
