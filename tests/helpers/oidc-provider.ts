import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { OIDC_CLIENT } from "../../e2e/env";

/**
 * A real OpenID provider (panva's oidc-provider) on loopback, with its own development login and
 * consent pages: any login name signs in, and its `groups` claim comes from `groups` (a name not
 * listed has none). Profile and group claims are served by the userinfo endpoint only, as many
 * providers do, so the dashboard's userinfo path is exercised too.
 */
export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export async function startOidcProvider(options: { port?: number; redirectUris: string[]; groups: Record<string, string[]> }): Promise<TestProvider> {
  const { id: clientId, secret: clientSecret } = OIDC_CLIENT;
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ["sub"], profile: ["preferred_username", "name", "groups"], email: ["email"] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, preferred_username: id, name: id, email: `${id}@example.test`, groups: options.groups[id] ?? [] }),
    }),
    cookies: { keys: ["oidc-test-cookie-key-0123456789"] },
    features: { devInteractions: { enabled: true } },
  });
  provider.on("server_error", (_ctx, err) => console.error("[oidc-provider]", err));
  server.on("request", provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
