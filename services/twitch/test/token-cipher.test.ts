import { describe, expect, it } from 'vitest';
import { TokenCipher } from '../src/token-cipher.js';

describe('TokenCipher (tokens at rest, §5.4)', () => {
  const serviceApiKey = 'service-key-0123456789-0123456789-abc';

  it('round-trips, never stores the plain token and uses a fresh IV each time', () => {
    const cipher = new TokenCipher({ encryptionKey: 'an-encryption-key-of-some-length', serviceApiKey });
    const a = cipher.encrypt('oauth-token-abc');
    const b = cipher.encrypt('oauth-token-abc');
    expect(a).not.toContain('oauth-token-abc');
    expect(a).not.toBe(b);
    expect(cipher.decrypt(a)).toBe('oauth-token-abc');
  });

  it('a different key, or a tampered ciphertext, cannot be read', () => {
    const sealed = new TokenCipher({
      encryptionKey: 'key-one-key-one-key-one-key-one',
      serviceApiKey,
    }).encrypt('secret');
    expect(() =>
      new TokenCipher({ encryptionKey: 'key-two-key-two-key-two-key-two', serviceApiKey }).decrypt(sealed),
    ).toThrow();
    expect(() => new TokenCipher({ serviceApiKey }).decrypt(sealed)).toThrow();
    const parts = sealed.split(':');
    parts[3] = parts[3]!.slice(0, -2) + (parts[3]!.endsWith('AA') ? 'BB' : 'AA');
    expect(() =>
      new TokenCipher({ encryptionKey: 'key-one-key-one-key-one-key-one', serviceApiKey }).decrypt(
        parts.join(':'),
      ),
    ).toThrow();
  });

  it('without TWITCH_TOKEN_ENCRYPTION_KEY the key is derived from SERVICE_API_KEY', () => {
    const derived = new TokenCipher({ serviceApiKey });
    expect(new TokenCipher({ serviceApiKey }).decrypt(derived.encrypt('x'))).toBe('x');
    expect(() =>
      new TokenCipher({ serviceApiKey: serviceApiKey + 'z' }).decrypt(derived.encrypt('x')),
    ).toThrow();
  });
});
