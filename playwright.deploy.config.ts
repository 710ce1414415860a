import { defineConfig } from "@playwright/test";
import { HTTPS_URL, LOG_DIR } from "./e2e-deploy/env";

/**
 * The deploy smoke (scripts/deploy-test.sh): Debian's Chromium through nginx over HTTPS against
 * the dashboard running in its image under compose.yaml. The rig (global-setup.ts) starts both;
 * run scripts/deploy-image.sh first.
 */
export default defineConfig({
  testDir: "e2e-deploy",
  outputDir: `${LOG_DIR}/playwright`,
  globalSetup: "./e2e-deploy/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: HTTPS_URL,
    // The certificate is self-signed, made by the rig for this run.
    ignoreHTTPSErrors: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
  },
});
