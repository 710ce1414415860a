/** Shared by playwright.deploy.config.ts, the rig and the specs. Ports are on loopback only. */
export const DEPLOY_TOKEN = "deploy-token-0123456789abcdef";
export const DASHBOARD_PORT = Number(process.env.HAKURIVER_DEPLOY_PORT ?? 3180);
export const HTTPS_PORT = Number(process.env.HAKURIVER_DEPLOY_HTTPS_PORT ?? 3143);
export const HTTP_PORT = Number(process.env.HAKURIVER_DEPLOY_HTTP_PORT ?? 3181);
export const HTTPS_URL = `https://127.0.0.1:${HTTPS_PORT}`;
/** The image scripts/deploy-image.sh built. */
export const DEPLOY_IMAGE = process.env.HAKURIVER_DEPLOY_IMAGE ?? "hakuriver-dashboard:test";
/**
 * What the rig tells the specs (temporary dirs, container, volume), and what a run leaves for
 * reading afterwards (the dashboard's and nginx's logs, the audit log, Playwright's traces):
 * outside test-results/, which any other Playwright run empties when it starts.
 */
export const DEPLOY_STATE = `${process.env.HAKURIVER_TEST_STATE ?? "/var/lib/hakuriver-test"}/deploy`;
export const STATE_FILE = `${DEPLOY_STATE}/rig.json`;
export const LOG_DIR = `${DEPLOY_STATE}/results`;

export interface RigState {
  /** Temporary root: the certificate, nginx's prefix, and the shared dir. */
  dir: string;
  /** HakuRiver's shared_dir on the host, bind-mounted at the same path in the container. */
  sharedDir: string;
  containerDir: string;
  certFile: string;
  project: string;
  /** The dashboard's container (compose service "dashboard"). */
  container: string;
  /** The named data volume holding the token, the journal, the audit log. */
  volume: string;
}
