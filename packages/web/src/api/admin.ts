/** Administration calls: API tokens, users' passwords and single sign-on settings (HTTP contract: docs/api.md). */
import { api } from "./client";

export const TOKEN_SCOPES = ["all", "read", "write", "export", "import", "admin"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export type ApiToken = {
  id: string;
  userId: string;
  name: string;
  scopes: string[];
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};
export type NewToken = { name: string; userId?: string; scopes: string[]; expiresAt?: string | null };

export const listTokens = () => api<{ tokens: ApiToken[]; scopes: string[] }>("/api/tokens");
export const createToken = (body: NewToken) => api<ApiToken & { token: string }>("/api/tokens", { method: "POST", body });
export const revokeToken = (id: string) => api<void>(`/api/tokens/${encodeURIComponent(id)}`, { method: "DELETE" });

export const setUserPassword = (userId: string, password: string) =>
  api<void>(`/api/users/${encodeURIComponent(userId)}/password`, { method: "PUT", body: { password } });

export type SsoSettings = {
  enabled: boolean;
  issuer: string;
  clientId: string;
  scopes: string[];
  emailClaim: string;
  nameClaim: string;
  roleClaim: string | null;
  roleMapping: Record<string, string>;
  defaultRoles: string[];
  autoCreate: boolean;
  linkByEmail: boolean;
  redirectUri: string | null;
};
export type SsoView = {
  configured: boolean;
  source: "database" | "environment" | null;
  settings: SsoSettings | null;
  hasClientSecret: boolean;
  redirectUri: string;
};
export const fetchSso = () => api<SsoView>("/api/auth/sso");
/** clientSecret: undefined keeps the stored one, null removes it. */
export const saveSso = (body: Partial<SsoSettings> & { issuer: string; clientId: string; clientSecret?: string | null }) =>
  api<SsoView>("/api/auth/sso", { method: "PUT", body });
export const deleteSso = () => api<void>("/api/auth/sso", { method: "DELETE" });
