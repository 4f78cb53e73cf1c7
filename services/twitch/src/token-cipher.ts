import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * OAuth tokens at rest (router-and-receivers §5.4, §8 item 8): AES-256-GCM, `v1:<iv>:<tag>:<ct>`
 * in base64url. The key is TWITCH_TOKEN_ENCRYPTION_KEY, else derived from SERVICE_API_KEY.
 */
export class TokenCipher {
  private readonly key: Buffer;

  constructor(opts: { encryptionKey?: string; serviceApiKey: string }) {
    this.key = opts.encryptionKey
      ? createHash('sha256').update(opts.encryptionKey).digest()
      : Buffer.from(hkdfSync('sha256', opts.serviceApiKey, 'waddlebot', 'twitch-token-encryption', 32));
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      'v1',
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ct.toString('base64url'),
    ].join(':');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, ct] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('unreadable token ciphertext');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
