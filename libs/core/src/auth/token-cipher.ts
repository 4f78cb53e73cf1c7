import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const SEALED = /^v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]*$/;

export interface TokenCipherOptions {
  /** The service's own encryption key setting (e.g. TWITCH_TOKEN_ENCRYPTION_KEY), when set. */
  encryptionKey?: string | undefined;
  serviceApiKey: string;
  /** Separates the keys derived from SERVICE_API_KEY per use: `twitch-token-encryption`. */
  purpose: string;
}

/**
 * OAuth tokens at rest (router-and-receivers §5.4): AES-256-GCM, `v1:<iv>:<tag>:<ct>` in
 * base64url. The key is the service's encryption key, else derived from SERVICE_API_KEY, so a
 * database dump alone never yields a usable token.
 */
export class TokenCipher {
  private readonly key: Buffer;

  constructor(opts: TokenCipherOptions) {
    this.key = opts.encryptionKey
      ? createHash('sha256').update(opts.encryptionKey).digest()
      : Buffer.from(hkdfSync('sha256', opts.serviceApiKey, 'waddlebot', opts.purpose, 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ct]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join(':');
  }

  /**
   * The plain token. Rows written before encryption (or by an operator by hand) hold the plain
   * token and are returned as they are; a sealed value under another key or tampered with throws.
   */
  open(stored: string): string {
    if (!SEALED.test(stored)) return stored;
    const [, iv, tag, ct] = stored.split(':') as [string, string, string, string];
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
