/** Shared by playwright.config.ts and the specs. */
export const E2E_TOKEN = "e2e-token-0123456789abcdef";
/** Fixed by default; HAKURIVER_E2E_PORT moves every server (PORT to PORT + 3), e.g. for a second checkout. */
export const PORT = Number(process.env.HAKURIVER_E2E_PORT ?? 3100);
export const NO_ENGINE_PORT = PORT + 1;
/** A dashboard with single sign-on, and the OpenID provider it uses (tests/helpers/oidc-provider.ts). */
export const SSO_PORT = PORT + 2;
export const OIDC_PROVIDER_PORT = PORT + 3;
/** The provider's people and their groups; the SSO dashboard maps the groups to roles (OIDC_ROLES). */
export const OIDC_GROUPS: Record<string, string[]> = { ada: ["hakuriver-operators", "physics"], grace: ["hakuriver-admins"], eve: ["chemistry"] };
export const OIDC_ROLES = "hakuriver-admins=admin,hakuriver-operators=operator";
export const OIDC_CLIENT = { id: "hakuriver-test", secret: "oidc-test-secret-0123456789abcdef" };
export const NO_ENGINE_SOCKET = "unix:///tmp/hakuriver-e2e-no-engine.sock";
export const E2E_DATA = process.env.HAKURIVER_E2E_DATA ?? "test-results/e2e-data";
/** The main server's container dir (its shared dir defaults to <data dir>/shared). */
export const E2E_CONTAINER_DIR = `${E2E_DATA}/main/shared/hakuriver-containers`;
