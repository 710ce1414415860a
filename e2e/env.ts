/** Shared by playwright.config.ts and the specs. */
export const E2E_TOKEN = "e2e-token-0123456789abcdef";
export const PORT = 3100;
export const NO_ENGINE_PORT = 3101;
export const NO_ENGINE_SOCKET = "unix:///tmp/hakuriver-e2e-no-engine.sock";
export const E2E_DATA = process.env.HAKURIVER_E2E_DATA ?? "test-results/e2e-data";
/** The main server's container dir (its shared dir defaults to <data dir>/shared). */
export const E2E_CONTAINER_DIR = `${E2E_DATA}/main/shared/hakuriver-containers`;
