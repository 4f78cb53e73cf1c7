import jwt from 'jsonwebtoken';

export interface AccessClaims {
  sub: string;
  username: string;
  email?: string | null;
  roles: string[];
  type: 'access';
}

/** HS256 access token (platform.md §1.3), 24 h by default. */
export function signJwt(
  claims: Omit<AccessClaims, 'type'>,
  secret: string,
  opts: { expiresInSeconds?: number; now?: Date } = {},
): string {
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  return jwt.sign({ ...claims, type: 'access', iat, exp: iat + (opts.expiresInSeconds ?? 86_400) }, secret, {
    algorithm: 'HS256',
  });
}

export function verifyJwt(token: string, secret: string, now?: Date): AccessClaims | null {
  try {
    const claims = jwt.verify(token, secret, {
      algorithms: ['HS256'],
      ...(now ? { clockTimestamp: Math.floor(now.getTime() / 1000) } : {}),
    }) as AccessClaims;
    return claims.type === 'access' && typeof claims.sub === 'string' ? claims : null;
  } catch {
    return null;
  }
}
