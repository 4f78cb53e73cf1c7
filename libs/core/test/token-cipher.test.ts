import { describe, expect, it } from 'vitest';
import { TokenCipher, type TokenCipherOptions } from '../src/index.js';

const purpose = 'twitch-token-encryption';
const cipherOf = (opts: Omit<TokenCipherOptions, 'purpose'>) => new TokenCipher({ purpose, ...opts });

describe('TokenCipher (OAuth tokens at rest, router-and-receivers §5.4)', () => {
  const serviceApiKey = 'service-key-0123456789-0123456789-abc';

  it('round-trips, never stores the plain token and uses a fresh IV each time', () => {
    const cipher = cipherOf({ encryptionKey: 'an-encryption-key-of-some-length', serviceApiKey });
    const a = cipher.seal('oauth-token-abc');
    const b = cipher.seal('oauth-token-abc');
    expect(a).not.toContain('oauth-token-abc');
    expect(a).not.toBe(b);
    expect(cipher.open(a)).toBe('oauth-token-abc');
  });

  it('a different key, or a tampered ciphertext, cannot be read', () => {
    const sealed = cipherOf({
      encryptionKey: 'key-one-key-one-key-one-key-one',
      serviceApiKey,
    }).seal('secret');
    expect(() =>
      cipherOf({ encryptionKey: 'key-two-key-two-key-two-key-two', serviceApiKey }).open(sealed),
    ).toThrow();
    expect(() => cipherOf({ serviceApiKey }).open(sealed)).toThrow();
    const parts = sealed.split(':');
    parts[3] = parts[3]!.slice(0, -2) + (parts[3]!.endsWith('AA') ? 'BB' : 'AA');
    expect(() =>
      cipherOf({ encryptionKey: 'key-one-key-one-key-one-key-one', serviceApiKey }).open(parts.join(':')),
    ).toThrow();
  });

  it('without an encryption key the key is derived from SERVICE_API_KEY, separately per purpose', () => {
    const derived = cipherOf({ serviceApiKey });
    expect(cipherOf({ serviceApiKey }).open(derived.seal('x'))).toBe('x');
    expect(() => cipherOf({ serviceApiKey: serviceApiKey + 'z' }).open(derived.seal('x'))).toThrow();
    expect(() =>
      new TokenCipher({ serviceApiKey, purpose: 'spotify-token-encryption' }).open(derived.seal('x')),
    ).toThrow();
  });

  it('reads a plain token stored before encryption as it is', () => {
    expect(cipherOf({ serviceApiKey }).open('plain-oauth-token')).toBe('plain-oauth-token');
  });
});
