import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { expect, test } from "@playwright/test";
import { E2E_DATA, E2E_TOKEN } from "./env";
import { DockerPage, TarballsTab } from "./pages/docker-page";
import { LOCAL_IMAGE, engine, removeImage, uniqueName } from "../tests/helpers/docker";
import { startOwnRegistry, type OwnRegistry } from "../tests/helpers/own-registry";
import { startServer, type TestServer } from "../tests/helpers/server";

/**
 * The registry state on a version (docs/registry.md), with a server of this spec's own
 * (HAKURIVER_REGISTRY set, on a free port) and a registry of its own (Debian's docker-registry on
 * loopback): a version made before the option is pushed from its row; with the registry down the
 * push fails and the row says why, and Push again works once the registry is back.
 */
const dataDir = path.resolve(E2E_DATA, "registry");
const containerDir = path.join(dataDir, "shared", "hakuriver-containers");
const env = uniqueName("e2ereg");
let registry: OwnRegistry;
let server: TestServer;

/** A version file of `env` holding the local test image, as `docker save` writes it. */
async function writeVersion(timestamp: number): Promise<string> {
  const file = `${env}-${timestamp}.tar`;
  fs.mkdirSync(containerDir, { recursive: true });
  await engine.getImage(LOCAL_IMAGE).tag({ repo: `hakuriver/${env}`, tag: "base" });
  await pipeline((await engine.getImage(`hakuriver/${env}:base`).get()) as NodeJS.ReadableStream, fs.createWriteStream(path.join(containerDir, file)));
  return file;
}

test.beforeAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  registry = await startOwnRegistry(path.join(dataDir, "registry"), { deletes: true });
  server = await startServer({ HAKURIVER_DATA_DIR: dataDir, HAKURIVER_AUTH_TOKEN: E2E_TOKEN, HAKURIVER_RUNNERS: "", HAKURIVER_REGISTRY: registry.address, HAKURIVER_REGISTRY_INSECURE: "1" });
});

test.afterAll(async () => {
  await server?.stop();
  await registry?.stop();
  await removeImage(`hakuriver/${env}:base`);
});

test("a version shows whether it is in the registry; Push to registry, and Push again after the registry was down", async ({ page }) => {
  test.setTimeout(120_000);
  const old = await writeVersion(Math.floor(Date.now() / 1000) - 100);
  await page.goto(`${server.url}/login?token=${encodeURIComponent(E2E_TOKEN)}`);
  await expect(page).toHaveURL(/\/docker/);
  const docker = new DockerPage(page);
  const tarballs = new TarballsTab(page);
  await docker.tab("Shared Tarballs").click();
  await tarballs.expand(env);

  const state = (file: string) => tarballs.version(file).getByRole("status", { name: `Registry state of ${file}` });
  await expect(state(old)).toHaveText(/Not in the registry \(made before it was set up\)/);
  await state(old).getByRole("button", { name: `Push to registry: ${old}` }).click();
  await expect(state(old)).toHaveText("In the registry", { timeout: 60_000 });
  await tarballs.version(old).getByRole("button", { name: `Details of ${old}` }).click();
  const tag = old.match(/-(\d+)\.tar$/)![1];
  await expect(page.getByTestId("pull-command")).toHaveText(`docker pull ${registry.address}/hakuriver/${env}:${tag}`);

  // The registry goes down: a push fails, and the version says why.
  await registry.stop();
  const newer = await writeVersion(Math.floor(Date.now() / 1000));
  await page.getByRole("button", { name: "Refresh" }).first().click();
  await expect(tarballs.version(newer)).toBeVisible();
  await expect(state(newer)).toHaveText(/Registry: cannot tell — the registry cannot be asked: .*refused the connection/);
  await state(newer).getByRole("button", { name: `Push to registry: ${newer}` }).click();
  await expect(state(newer)).toHaveText(/Not in the registry: .*refused the connection/, { timeout: 30_000 });
  await page.screenshot({ path: "test-results/registry-state.png", fullPage: true });

  await registry.start();
  await state(newer).getByRole("button", { name: `Push again: ${newer}` }).click();
  await expect(state(newer)).toHaveText("In the registry", { timeout: 60_000 });
  await expect(state(old)).toHaveText("In the registry");
});
