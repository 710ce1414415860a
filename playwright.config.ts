import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { E2E_DATA, E2E_TOKEN, NO_ENGINE_PORT, NO_ENGINE_SOCKET, OIDC_CLIENT, OIDC_PROVIDER_PORT, OIDC_ROLES, PORT, SSO_PORT } from "./e2e/env";

/**
 * e2e runs Debian's Chromium against the production build served by server.ts (run `npm run build`
 * first; `npm test` does). A second server points at a Docker socket that does not exist, for the
 * unreachable-engine banner; a third signs people in through an OpenID provider on loopback.
 */
const dataDir = E2E_DATA;

const server = (port: number, env: Record<string, string>) => ({
  command: "node dist/server.mjs",
  url: `http://127.0.0.1:${port}/api/health`,
  reuseExistingServer: false,
  timeout: 60_000,
  gracefulShutdown: { signal: "SIGTERM" as const, timeout: 5_000 },
  stdout: "pipe" as const,
  env: {
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    HAKURIVER_AUTH_TOKEN: E2E_TOKEN,
    ...env,
  },
});

/**
 * The Runner engines scripts/test-env.sh started: runner1 over its socket and runner2 over SSH,
 * with the client key and known_hosts put where the dashboard looks (`<data dir>/runners/`, 0600).
 */
function runnerSettings(): Record<string, string> {
  const env = process.env;
  const runners = [env.HAKURIVER_TEST_RUNNER1 && `r1=${env.HAKURIVER_TEST_RUNNER1}`];
  if (env.HAKURIVER_TEST_RUNNER2_SSH && env.HAKURIVER_TEST_RUNNER2_SSH_KEY) {
    const dir = path.join(dataDir, "main", "runners");
    fs.mkdirSync(path.join(dir, "r2"), { recursive: true, mode: 0o700 });
    fs.copyFileSync(env.HAKURIVER_TEST_RUNNER2_SSH_KEY, path.join(dir, "r2", "id_ed25519"));
    fs.chmodSync(path.join(dir, "r2", "id_ed25519"), 0o600);
    if (env.HAKURIVER_TEST_RUNNER2_KNOWN_HOSTS) fs.copyFileSync(env.HAKURIVER_TEST_RUNNER2_KNOWN_HOSTS, path.join(dir, "known_hosts"));
    runners.push(`r2=${env.HAKURIVER_TEST_RUNNER2_SSH}`);
  }
  const list = runners.filter(Boolean).join(",");
  return list ? { HAKURIVER_RUNNERS: list } : {};
}

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
  },
  webServer: [
    server(PORT, { HAKURIVER_DATA_DIR: `${dataDir}/main`, ...runnerSettings() }),
    server(NO_ENGINE_PORT, { HAKURIVER_DATA_DIR: `${dataDir}/no-engine`, DOCKER_HOST: NO_ENGINE_SOCKET }),
    {
      command: "node --import tsx e2e/oidc-provider.ts",
      url: `http://127.0.0.1:${OIDC_PROVIDER_PORT}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "pipe" as const,
    },
    server(SSO_PORT, {
      HAKURIVER_DATA_DIR: `${dataDir}/sso`,
      HAKURIVER_OIDC_ISSUER: `http://127.0.0.1:${OIDC_PROVIDER_PORT}`,
      HAKURIVER_OIDC_CLIENT_ID: OIDC_CLIENT.id,
      HAKURIVER_OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      HAKURIVER_OIDC_ROLES: OIDC_ROLES,
    }),
  ],
});
