import "server-only";
import * as client from "openid-client";
import { audit } from "@/lib/audit";
import { getConfig } from "@/lib/config";
import { processWide } from "@/lib/runtime";
import { AppError } from "@/lib/shared/errors";
import { clientAddress, isSecureRequest, startSession } from "./login";
import { openFlow, sealFlow, type Flow } from "./oidc-flow";
import { nameFromClaims, roleFromClaims, type OidcSettings } from "./oidc-settings";
import { peopleStore } from "./people";
import { safeNextPath } from "./redirect";
import { readCookie } from "./session";
import { authToken } from "./token";

/**
 * Single sign-on with OpenID Connect: the authorisation code flow with PKCE, through openid-client.
 * /api/auth/oidc/start keeps the flow's secrets (state, nonce, PKCE verifier, where to return) in a
 * short-lived signed cookie and sends the browser to the provider; /api/auth/oidc/callback checks
 * the state against that cookie, lets openid-client exchange the code and check the ID token
 * (signature, issuer, audience, nonce), maps the claims to a person and a role, and starts the same
 * session a password login does.
 */

const FLOW_COOKIE = "hakuriver_oidc";
const FLOW_PATH = "/api/auth/oidc";
const FLOW_SECONDS = 600;
const CALLBACK_PATH = "/api/auth/oidc/callback";

/** Why a sign-in was refused: the login page's `error` codes. */
export type SsoFailure = "sso-state" | "sso-check" | "sso-provider" | "sso-denied" | "sso-role" | "sso-name";

function flowCookie(value: string, secure: boolean, maxAge = FLOW_SECONDS): string {
  // Lax, not Strict: the callback is a navigation the provider's site starts.
  return [`${FLOW_COOKIE}=${value}`, `Path=${FLOW_PATH}`, "HttpOnly", "SameSite=Lax", `Max-Age=${maxAge}`, ...(secure ? ["Secure"] : [])].join("; ");
}

export function oidcSettings(): OidcSettings | undefined {
  return getConfig().oidc;
}

/** The provider's configuration, discovered once (again after a failure). */
function discover(settings: OidcSettings): Promise<client.Configuration> {
  const cache = processWide("oidc.discovery", () => ({ pending: undefined as Promise<client.Configuration> | undefined }));
  cache.pending ??= client
    .discovery(
      new URL(settings.issuer),
      settings.clientId,
      undefined,
      settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
      // Plain http is allowed by the settings only to a provider on loopback.
      { timeout: 10, ...(settings.issuer.startsWith("http:") ? { execute: [client.allowInsecureRequests] } : {}) },
    )
    .catch((err: unknown) => {
      cache.pending = undefined;
      throw err;
    });
  return cache.pending;
}

/** This server's callback URL as the provider must send the browser back to it. */
function redirectUri(request: Request, settings: OidcSettings): string {
  if (settings.redirectUri) return settings.redirectUri;
  // Both normalised at the door (lib/auth/gate.ts): the scheme the browser used and its Host.
  return `${isSecureRequest(request) ? "https" : "http"}://${request.headers.get("host")}${CALLBACK_PATH}`;
}

/** Both routes without HAKURIVER_OIDC_ISSUER. */
function notSetUp(): Response {
  return Response.json({ error: "Single sign-on is not set up (HAKURIVER_OIDC_ISSUER).", code: "not_found:oidc" }, { status: 404 });
}

function toLogin(failure: SsoFailure, next: string, secure: boolean): Response {
  const headers = { Location: `/login?error=${failure}&next=${encodeURIComponent(next)}`, "Cache-Control": "no-store", "Set-Cookie": flowCookie("", secure, 0) };
  return new Response(null, { status: 303, headers });
}

/** GET /api/auth/oidc/start: to the provider, with a fresh state, nonce and PKCE verifier. */
export async function startSingleSignOn(request: Request): Promise<Response> {
  const settings = oidcSettings();
  if (!settings) return notSetUp();
  const next = safeNextPath(new URL(request.url).searchParams.get("next"));
  const secure = isSecureRequest(request);
  let config: client.Configuration;
  try {
    config = await discover(settings);
  } catch (err) {
    console.error(`[hakuriver] single sign-on: ${settings.issuer} could not be reached:`, err);
    return toLogin("sso-provider", next, secure);
  }
  const flow: Flow = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), next, expires: Date.now() + FLOW_SECONDS * 1000 };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(request, settings),
    scope: "openid profile email",
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: "S256",
  });
  const headers = { Location: url.href, "Cache-Control": "no-store", "Set-Cookie": flowCookie(sealFlow(authToken(), flow), secure) };
  return new Response(null, { status: 303, headers });
}

/** GET /api/auth/oidc/callback: checks everything, then signs the person in. */
export async function finishSingleSignOn(request: Request): Promise<Response> {
  const settings = oidcSettings();
  if (!settings) return notSetUp();
  const secure = isSecureRequest(request);
  const address = clientAddress(request);
  const flow = openFlow(authToken(), readCookie(request.headers.get("cookie"), FLOW_COOKIE));
  const params = new URL(request.url).searchParams;
  const refuse = (failure: SsoFailure, detail: string, person = "anonymous") => {
    audit({ session: "anonymous", person, action: "login", target: address, result: "error", detail: `single sign-on: ${detail}`.slice(0, 300) });
    return toLogin(failure, flow?.next ?? "/docker", secure);
  };
  if (!flow) return refuse("sso-state", "no sign-in under way in this browser (expired, or started elsewhere)");
  const error = params.get("error");
  if (error) return refuse(error === "access_denied" ? "sso-denied" : "sso-provider", `the provider answered ${error.slice(0, 60)}`);
  // openid-client checks the state too; checking it first names the failure plainly.
  if (params.get("state") !== flow.state) return refuse("sso-state", "the state does not match this browser's sign-in");
  let claims: Record<string, unknown>;
  try {
    const config = await discover(settings);
    const callback = new URL(redirectUri(request, settings));
    callback.search = params.toString();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    claims = await withUserInfo(config, settings, tokens);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const checked = typeof code === "string" && code.startsWith("OAUTH_");
    console.error("[hakuriver] single sign-on refused:", err instanceof Error ? err.message : err);
    return refuse(checked ? "sso-check" : "sso-provider", checked ? `the provider's answer failed a check (${code})` : "the provider could not be reached");
  }
  return signIn(request, settings, claims, flow.next, refuse);
}

/**
 * The ID token's claims, and the userinfo endpoint's when the ID token lacks the name or role claim
 * (many providers put profile and group claims only there).
 */
async function withUserInfo(config: client.Configuration, settings: OidcSettings, tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): Promise<Record<string, unknown>> {
  const claims: Record<string, unknown> = { ...(tokens.claims() ?? {}) };
  const missing = claims[settings.roleClaim] === undefined || claims[settings.nameClaim] === undefined;
  if (!missing || !tokens.access_token || !config.serverMetadata().userinfo_endpoint) return claims;
  const info = await client.fetchUserInfo(config, tokens.access_token, String(claims.sub));
  // The ID token's own claims (sub, iss, nonce) win.
  return { ...info, ...claims };
}

function signIn(request: Request, settings: OidcSettings, claims: Record<string, unknown>, next: string, refuse: (f: SsoFailure, detail: string, person?: string) => Response): Response {
  const name = nameFromClaims(claims, settings.nameClaim);
  if (!name) return refuse("sso-name", "the provider gave no usable name");
  const role = roleFromClaims(claims, settings);
  if (!role) return refuse("sso-role", `no role for the ${settings.roleClaim} claim`, name);
  try {
    peopleStore().signedInByProvider(name, { issuer: settings.issuer, subject: String(claims.sub) }, role);
  } catch (err) {
    if (err instanceof AppError) return refuse("sso-name", err.message, name);
    throw err;
  }
  const response = startSession(request, name, clientAddress(request), next, "page", "single sign-on");
  response.headers.append("Set-Cookie", flowCookie("", isSecureRequest(request), 0));
  return response;
}
