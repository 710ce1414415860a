import { OIDC_GROUPS, OIDC_PROVIDER_PORT, SSO_PORT } from "./env";
import { startOidcProvider } from "../tests/helpers/oidc-provider";

/** The OpenID provider the single sign-on server (playwright.config.ts) signs people in through. */
const provider = await startOidcProvider({
  port: OIDC_PROVIDER_PORT,
  redirectUris: [`http://127.0.0.1:${SSO_PORT}/api/auth/oidc/callback`],
  groups: OIDC_GROUPS,
});
console.log(`[oidc-provider] ${provider.issuer} (client ${provider.clientId})`);
const stop = () => void provider.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
