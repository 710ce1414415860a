/** Shared by playwright.config.ts and the specs. */
export const E2E_TOKEN = "e2e-token-0123456789abcdef";
/** Fixed by default; HAKURIVER_E2E_PORT moves both servers (PORT and PORT + 1), e.g. for a second checkout. */
export const PORT = Number(process.env.HAKURIVER_E2E_PORT ?? 3100);
export const NO_ENGINE_PORT = PORT + 1;
export const NO_ENGINE_SOCKET = "unix:///tmp/hakuriver-e2e-no-engine.sock";
export const E2E_DATA = process.env.HAKURIVER_E2E_DATA ?? "test-results/e2e-data";
/** The main server's container dir (its shared dir defaults to <data dir>/shared). */
export const E2E_CONTAINER_DIR = `${E2E_DATA}/main/shared/hakuriver-containers`;
