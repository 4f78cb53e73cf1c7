export type AuthKind = 'service' | 'jwt' | 'user_key' | 'api_key';

/** Who made the request: put on the Hono context by `requireAuth`. */
export interface AuthContext {
  kind: AuthKind;
  user_id: string | null;
  username: string | null;
  email: string | null;
  roles: string[];
  permissions: string[];
  /** For router external keys: the service account row (type, patterns, quota). */
  account?: Record<string, unknown>;
}
