import "server-only";
import fs from "node:fs";
import { isLoopbackHost } from "@/lib/registry/settings";
import { isRole, roleAllows, type Role } from "@/lib/shared/roles";

/**
 * HAKURIVER_OIDC_* (single sign-on with OpenID Connect), read once at start (lib/config.ts). Pure
 * but for reading the secret file; every problem names its variable.
 */
export interface OidcSettings {
  /** The issuer, exactly as its discovery document names it. */
  issuer: string;
  clientId: string;
  /** Absent for a public client (PKCE alone). */
  clientSecret?: string;
  /** The claim whose values pick the role (a string or a list of strings), e.g. `groups`. */
  roleClaim: string;
  /** Claim value → role; `*` matches anyone the provider signs in. The highest role matched wins. */
  roles: { value: string; role: Role }[];
  /** The claim a person's name in the dashboard comes from (then `email`'s local part, then `sub`). */
  nameClaim: string;
  /** The button on the login page. */
  label: string;
  /** Where the provider sends the browser back; by default this server's /api/auth/oidc/callback as the browser reached it. */
  redirectUri?: string;
}

const NAMES = [
  "HAKURIVER_OIDC_ISSUER",
  "HAKURIVER_OIDC_CLIENT_ID",
  "HAKURIVER_OIDC_CLIENT_SECRET",
  "HAKURIVER_OIDC_CLIENT_SECRET_FILE",
  "HAKURIVER_OIDC_ROLE_CLAIM",
  "HAKURIVER_OIDC_ROLES",
  "HAKURIVER_OIDC_NAME_CLAIM",
  "HAKURIVER_OIDC_LABEL",
  "HAKURIVER_OIDC_REDIRECT_URI",
] as const;

/** `groups-admins=admin,lab=operator,*=viewer` → the mapping, or the problems with it. */
export function parseRoleMapping(text: string): { roles: { value: string; role: Role }[]; problems: string[] } {
  const roles: { value: string; role: Role }[] = [];
  const problems: string[] = [];
  for (const entry of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = entry.lastIndexOf("=");
    const value = entry.slice(0, eq).trim();
    const role = entry.slice(eq + 1).trim();
    if (eq <= 0 || !value) problems.push(`HAKURIVER_OIDC_ROLES: "${entry}" is not <claim value>=<role>`);
    else if (!isRole(role)) problems.push(`HAKURIVER_OIDC_ROLES: "${entry}": the role must be viewer, operator or admin`);
    else roles.push({ value, role });
  }
  if (!roles.length && !problems.length) problems.push("HAKURIVER_OIDC_ROLES is empty: map at least one claim value to a role, e.g. hakuriver-admins=admin,lab=operator");
  return { roles, problems };
}

/**
 * The role a provider's claims earn: the highest role whose value the claim holds (a string, or a
 * list of strings), `*` matching anyone. Undefined when nothing matches: that person is refused.
 */
export function roleFromClaims(claims: Record<string, unknown>, settings: Pick<OidcSettings, "roleClaim" | "roles">): Role | undefined {
  const raw = claims[settings.roleClaim];
  const held = new Set((Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string"));
  let best: Role | undefined;
  for (const { value, role } of settings.roles) {
    if ((value === "*" || held.has(value)) && (!best || roleAllows(role, best))) best = role;
  }
  return best;
}

/**
 * The dashboard name for a provider's person: the name claim, else the local part of `email`,
 * else `sub`, lowercased, with anything a name may not hold turned into `-`; undefined when
 * nothing usable remains (the login is refused with a message saying so).
 */
export function nameFromClaims(claims: Record<string, unknown>, nameClaim: string): string | undefined {
  const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
  const email = text(claims.email)?.split("@")[0];
  const raw = text(claims[nameClaim]) ?? email ?? text(claims.sub);
  if (!raw) return undefined;
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 32)
    .replace(/[-.]+$/, "");
  return /^[a-z][a-z0-9._-]{0,31}$/.test(name) ? name : undefined;
}

/** The settings (undefined when HAKURIVER_OIDC_ISSUER is unset) and every problem. */
export function parseOidcSettings(env: Record<string, string | undefined>): { settings?: OidcSettings; problems: string[] } {
  const value = (name: (typeof NAMES)[number]) => (env[name] ?? "").trim() || undefined;
  const issuer = value("HAKURIVER_OIDC_ISSUER");
  if (!issuer) {
    const stray = NAMES.filter((n) => n !== "HAKURIVER_OIDC_ISSUER" && value(n));
    return { problems: stray.length ? [`${stray.join(", ")} set without HAKURIVER_OIDC_ISSUER: set the issuer too, or unset them`] : [] };
  }
  const problems: string[] = [];
  problems.push(...urlProblems("HAKURIVER_OIDC_ISSUER", issuer));
  const redirectUri = value("HAKURIVER_OIDC_REDIRECT_URI");
  if (redirectUri) problems.push(...urlProblems("HAKURIVER_OIDC_REDIRECT_URI", redirectUri));
  const clientId = value("HAKURIVER_OIDC_CLIENT_ID");
  if (!clientId) problems.push("HAKURIVER_OIDC_CLIENT_ID is not set: the client id the provider gave this dashboard");
  const secret = clientSecret(value("HAKURIVER_OIDC_CLIENT_SECRET"), value("HAKURIVER_OIDC_CLIENT_SECRET_FILE"), problems);
  const mapping = parseRoleMapping(value("HAKURIVER_OIDC_ROLES") ?? "");
  problems.push(...mapping.problems);
  if (problems.length) return { problems };
  return {
    settings: {
      issuer,
      clientId: clientId!,
      ...(secret ? { clientSecret: secret } : {}),
      roleClaim: value("HAKURIVER_OIDC_ROLE_CLAIM") ?? "groups",
      roles: mapping.roles,
      nameClaim: value("HAKURIVER_OIDC_NAME_CLAIM") ?? "preferred_username",
      label: value("HAKURIVER_OIDC_LABEL") ?? "Sign in with single sign-on",
      ...(redirectUri ? { redirectUri } : {}),
    },
    problems,
  };
}

/** An https URL, or plain http to a loopback host (a provider on this machine). */
function urlProblems(name: string, text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [`${name}=${JSON.stringify(text)}: must be a URL, e.g. https://login.example.org/realms/lab`];
  }
  if (url.protocol === "https:") return [];
  if (url.protocol === "http:" && isLoopbackHost(url.host)) return [];
  return [`${name}=${JSON.stringify(text)}: must be https (plain http only to 127.0.0.1, localhost or [::1])`];
}

function clientSecret(secret: string | undefined, file: string | undefined, problems: string[]): string | undefined {
  if (secret && file) {
    problems.push("HAKURIVER_OIDC_CLIENT_SECRET and HAKURIVER_OIDC_CLIENT_SECRET_FILE are both set: keep one");
    return undefined;
  }
  if (!file) return secret;
  try {
    const text = fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
    if (!text) problems.push(`HAKURIVER_OIDC_CLIENT_SECRET_FILE=${file}: the file is empty`);
    return text;
  } catch (err) {
    problems.push(`HAKURIVER_OIDC_CLIENT_SECRET_FILE=${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return undefined;
  }
}
