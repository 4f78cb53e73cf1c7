import type { Clock, HttpClient, Logger } from '@waddlebot/core';
import type { Mailer } from './mailer.js';

/** What the portal's pages and API need, resolved once at start-up (ARCHITECTURE.md). */
export interface PortalDeps {
  logger: Logger;
  clock: Clock;
  appName: string;
  /** Browser-facing base URL, no trailing slash (PORTAL_PUBLIC_URL). */
  publicUrl: string;
  /** Identity as the browser reaches it (OAuth redirects); IDENTITY_URL may be cluster-internal. */
  identityPublicUrl: string;
  /** HS256 secret shared with identity: verifies session JWTs and signs cookies. */
  secretKey: string;
  sessionTtlSeconds: number;
  /** Secure cookies only when the portal is served over https (browsers drop them on http). */
  secureCookies: boolean;
  /** Per-call timeout for the owning services (API_TIMEOUT). */
  apiTimeoutMs: number;
  identity: HttpClient;
  community: HttpClient;
  reputation: HttpClient;
  marketplace: HttpClient;
  browserSource: HttpClient;
  /** Reads identity's auth_user_roles (sanctioned read, contracts §1) for the platform-admin check. */
  isPlatformAdmin(userId: string, jwtRoles: string[]): Promise<boolean>;
  mailer: Mailer;
}
