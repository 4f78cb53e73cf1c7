import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const SEALED = /^v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]*$/;

/**
 * Spotify tokens at rest: AES-256-GCM, `v1:<iv>:<tag>:<ct>` in base64url. The key is
 * TOKEN_ENCRYPTION_KEY, else derived from SERVICE_API_KEY, so a database dump alone never yields
 * a usable token. Same format as the twitch receiver's cipher.
 */
export class TokenCipher {
  private readonly key: Buffer;

  constructor(opts: { encryptionKey?: string; serviceApiKey: string }) {
    this.key = opts.encryptionKey
      ? createHash('sha256').update(opts.encryptionKey).digest()
      : Buffer.from(hkdfSync('sha256', opts.serviceApiKey, 'waddlebot', 'spotify-token-encryption', 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ct]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join(':');
  }

  /** Rows written before encryption (or by an operator by hand) hold the plain token. */
  open(stored: string): string {
    if (!SEALED.test(stored)) return stored;
    const [, iv, tag, ct] = stored.split(':') as [string, string, string, string];
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
