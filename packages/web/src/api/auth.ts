/** Sign-in, password, two-factor and single sign-on calls (HTTP contract: docs/api.md, "Sign-in"). */
import { api } from "./client";
import type { Me } from "./records";

export type SignedIn = { user: Me; csrfToken: string };
export type LoginResult = SignedIn | { totpRequired: true; challenge: string };
export type TotpStatus = { enabled: boolean; enabledAt: string | null; recoveryCodesLeft: number };

export const isTotpStep = (r: LoginResult): r is { totpRequired: true; challenge: string } => "totpRequired" in r && r.totpRequired;

export const loginWithPassword = (email: string, password: string) => api<LoginResult>("/api/auth/login", { method: "POST", body: { email, password } });
export const loginWithCode = (challenge: string, code: string) => api<SignedIn>("/api/auth/login/totp", { method: "POST", body: { challenge, code } });
export const fetchSsoStatus = () => api<{ enabled: boolean }>("/api/auth/sso/status");
export const ssoStartUrl = (returnTo: string) => `/api/auth/sso/start?returnTo=${encodeURIComponent(returnTo)}`;

export const changePassword = (currentPassword: string, newPassword: string) => api<void>("/api/auth/password", { method: "POST", body: { currentPassword, newPassword } });
export const fetchTotpStatus = () => api<TotpStatus>("/api/auth/totp");
export const setupTotp = () => api<{ secret: string; uri: string }>("/api/auth/totp/setup", { method: "POST", body: {} });
export const enableTotp = (code: string) => api<{ recoveryCodes: string[] }>("/api/auth/totp/enable", { method: "POST", body: { code } });
export const disableTotp = (code: string) => api<void>("/api/auth/totp/disable", { method: "POST", body: { code } });
export const newRecoveryCodes = (code: string) => api<{ recoveryCodes: string[] }>("/api/auth/totp/recovery-codes", { method: "POST", body: { code } });
