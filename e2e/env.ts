/** Shared by playwright.config.ts and the specs. */
export const E2E_TOKEN = "e2e-token-0123456789abcdef";
export const PORT = 3100;
export const NO_ENGINE_PORT = 3101;
export const NO_ENGINE_SOCKET = "unix:///tmp/hakuriver-e2e-no-engine.sock";
