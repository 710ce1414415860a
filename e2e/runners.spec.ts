import { expect, test, type Locator, type Page } from "@playwright/test";
import { E2E_CONTAINER_DIR, E2E_TOKEN, PORT } from "./env";
import { DockerPage } from "./pages/docker-page";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage, uniqueName } from "../tests/helpers/docker";
import { Runner } from "../tests/helpers/runner";

/**
 * The Runners tab against the Runner engines scripts/test-env.sh starts (playwright.config.ts
 * passes them as HAKURIVER_RUNNERS: r1 over its socket, r2 over SSH). The states are made by a
 * Runner played with the Runner's own rule (tests/helpers/runner.ts), on r1's engine.
 */
const R1 = process.env.HAKURIVER_TEST_RUNNER1;
test.skip(!R1, "no Runner engine (run scripts/test-env.sh)");

const base = `http://127.0.0.1:${PORT}`;
const bearer = { Authorization: `Bearer ${E2E_TOKEN}` };
const made: string[] = [];
const imageIds = new Set<string>();
const runner = R1 ? new Runner({ engineHost: R1, containerDir: E2E_CONTAINER_DIR }) : undefined!;

async function environment(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  const res = await fetch(`${base}/api/containers`, { method: "POST", headers: { ...bearer, "Content-Type": "application/json" }, body: JSON.stringify({ image: LOCAL_IMAGE, name }) });
  expect(await res.text()).toContain('"type":"done"');
  return name;
}

/** Create Tar through the API; returns the new version's file. */
async function createTar(name: string, marker: string): Promise<string> {
  expect((await execIn(name, ["sh", "-c", `echo ${marker} > /root/marker`])).exitCode).toBe(0);
  const res = await fetch(`${base}/api/containers/${name}/tar`, { method: "POST", headers: bearer });
  expect(res.status).toBe(202);
  const { job } = (await res.json()) as { job: { id: string } };
  let file: string | undefined;
  await expect(async () => {
    const { jobs } = (await (await fetch(`${base}/api/tarballs/jobs`, { headers: bearer })).json()) as { jobs: { id: string; phase: string; file?: string }[] };
    const j = jobs.find((x) => x.id === job.id);
    expect(j?.phase).toBe("done");
    file = j!.file;
  }).toPass({ timeout: 90_000 });
  imageIds.add((await engine.getImage(`hakuriver/${name}:base`).inspect()).Id);
  return file!;
}

test.afterAll(async () => {
  for (const name of made) {
    await removeContainer(name);
    await removeImage(`hakuriver/${name}:base`);
    await runner.forget(name);
  }
  for (const id of imageIds) await runner.engine.getImage(id).remove({ force: true }).catch(() => {});
});

const card = (page: Page, name: string): Locator => page.locator(`article[data-runner="${name}"]`);
const cell = (page: Page, runnerName: string, env: string): Locator => card(page, runnerName).locator(`tr[data-env="${env}"]`).getByTestId("status-tag");

test("the Runners tab shows up to date, behind and missing, and Sync now turns behind into up to date", async ({ page }) => {
  test.setTimeout(180_000);
  const upToDate = await environment("rt-up");
  await createTar(upToDate, "v1");
  await runner.prepare(upToDate);
  const behind = await environment("rt-behind");
  await createTar(behind, "v1");
  await runner.prepare(behind);
  const newest = await createTar(behind, "v2");
  const missing = await environment("rt-missing");
  await createTar(missing, "v1");

  const docker = new DockerPage(page);
  await docker.login();
  await page.getByRole("tab", { name: "Runners" }).click();
  await expect(page).toHaveURL(/tab=runners/);
  await expect(card(page, "r1").getByTestId("runner-reachable")).toHaveText("Reachable");
  await expect(cell(page, "r1", upToDate)).toHaveText("Up to date");
  await expect(cell(page, "r1", behind)).toHaveText(`Behind: will load ${newest} at its next task`);
  await expect(cell(page, "r1", missing)).toHaveText("Missing");
  if (process.env.HAKURIVER_TEST_RUNNER2_SSH) {
    await expect(card(page, "r2").getByTestId("runner-reachable")).toHaveText("Reachable");
    await expect(card(page, "r2")).toContainText(/Docker \d+\./);
  }

  await card(page, "r1").getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByRole("status", { name: "Sync now of r1" })).toBeVisible();
  await expect(cell(page, "r1", behind)).toHaveText("Up to date", { timeout: 60_000 });
  await expect(page.locator("[data-sonner-toast]").getByText(new RegExp(`^r1 loaded .*${newest}`))).toBeVisible();
  await expect(cell(page, "r1", missing)).toHaveText("Missing");
  expect(await runner.needsSync(behind)).toBeUndefined();
  expect(await runner.runTask(behind, ["cat", "/root/marker"])).toContain("v2");
});
