import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_CONTAINER_DIR, E2E_TOKEN } from "./env";
import { DockerPage } from "./pages/docker-page";
import { LOCAL_IMAGE, engine, execIn, removeContainer, runEnvironmentContainer, uniqueName } from "../tests/helpers/docker";

const made: string[] = [];
const files: string[] = [];
test.afterAll(async () => {
  for (const name of made) await removeContainer(name);
  for (const file of files) fs.rmSync(path.join(E2E_CONTAINER_DIR, file), { force: true });
});

test("a Stop reads Stopped (exit code on hover only); a kill from outside is a warning; Paused offers Resume; the row links its versions", async ({ page }) => {
  const name = uniqueName("words");
  made.push(name);
  await runEnvironmentContainer(name);
  fs.mkdirSync(E2E_CONTAINER_DIR, { recursive: true });
  for (const ts of [1700000000, 1700000100]) files.push(`${name}-${ts}.tar`);
  for (const file of files) fs.writeFileSync(path.join(E2E_CONTAINER_DIR, file), "a version");

  const docker = new DockerPage(page);
  await docker.login();
  await docker.open(`?q=${name}`);
  await expect(page.locator("[data-live=on]")).toBeVisible();
  const detail = docker.row(name).getByTestId("status-detail");
  await expect(detail).toHaveText(/^up (under a second|\d+ seconds?|1 minute)$/);

  await docker.button(name, "Stop").click();
  await expect(docker.status(name)).toHaveText("Stopped", { timeout: 15_000 });
  await expect(docker.status(name)).toHaveAttribute("data-tone", "slate");
  await expect(detail).toHaveText(/ago$|just now/);
  await expect(detail).not.toContainText("exit code");
  await expect(docker.status(name)).toHaveAttribute("title", /^Exit code 143: SIGTERM, from the dashboard's Stop/);

  await docker.button(name, "Start").click();
  await expect(docker.status(name)).toHaveText("Running");
  // Killed from outside the dashboard: still "Stopped", but a warning with the code in view.
  await engine.getContainer(name).kill({ signal: "SIGKILL" });
  // Read afresh (this test is about the words, not the live feed, which e2e/environments.spec.ts covers).
  await page.reload();
  await expect(docker.status(name)).toHaveText("Stopped");
  await expect(docker.status(name)).toHaveAttribute("data-tone", "amber");
  await expect(detail).toContainText("exit code 137");

  await docker.button(name, "Start").click();
  await expect(docker.status(name)).toHaveText("Running");
  await engine.getContainer(name).pause();
  await page.reload();
  await expect(docker.status(name)).toHaveText("Paused");
  await expect(docker.button(name, "Shell")).toHaveCount(0);
  await docker.row(name).getByRole("button", { name: "Resume", exact: true }).click();
  await expect(docker.status(name)).toHaveText("Running");
  await expect(page.getByText(`Resumed ${name}.`)).toBeVisible();

  // Its environment's versions, linking to them in Shared Tarballs, where it is marked as having a Host container.
  const versions = docker.row(name).getByTestId("environment-versions");
  await expect(versions).toHaveText(/^2 versions · latest \d+ y ago$/);
  await versions.click();
  await expect(page).toHaveURL(new RegExp(`tab=tarballs.*#env-${name}$`));
  await expect(page.locator(`#env-${name}`)).toBeInViewport();
  await expect(page.locator(`#env-${name}`).getByTestId("host-container-mark")).toHaveText("Host container");
});

test("a Create Tar keeps its progress and Cancel after its container is deleted; the confirm says it is running", async ({ page }) => {
  test.setTimeout(120_000);
  const name = uniqueName("orphan");
  made.push(name);
  await runEnvironmentContainer(name);
  // Enough data that saving takes a while.
  expect((await execIn(name, ["sh", "-c", "head -c 314572800 /dev/urandom > /root/data"])).exitCode).toBe(0);

  const docker = new DockerPage(page);
  await docker.login();
  await docker.open(`?q=${name}`);
  await docker.button(name, "Create Tar").click();
  const progress = page.getByRole("status", { name: `Create Tar of ${name}` });
  await expect(progress).toContainText("Saving", { timeout: 60_000 });

  await docker.button(name, "Delete").click();
  const confirm = page.getByRole("dialog", { name: `Delete container ${name}?` });
  await expect(confirm.getByRole("note")).toContainText(`A Create Tar of ${name} is running`);
  await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(docker.row(name)).toHaveCount(0);
  // The job goes on without its row: progress and Cancel stay (focus did not fall to the page's body).
  const orphan = page.locator(`[data-packaging-for="${name}"]`);
  await expect(orphan).toContainText("is no longer on this host; the job goes on");
  expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe("BODY");
  await orphan.getByRole("button", { name: "Cancel" }).click();
  await expect(progress).toContainText(`Create Tar of ${name} was cancelled; no file was kept.`);
  expect(fs.readdirSync(E2E_CONTAINER_DIR).filter((f) => f.startsWith(`${name}-`))).toEqual([]);
});

test("Create New Container suggests the images already on the Host; a 64-character name is refused for its length", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  await docker.fillCreateForm("", "");
  const image = docker.createDialog.getByRole("combobox", { name: "Docker Image Name" });
  await expect(image).toHaveAttribute("list", "create-image-suggestions");
  await expect(docker.createDialog.locator(`datalist#create-image-suggestions option[value="${LOCAL_IMAGE}"]`)).toHaveCount(1);
  await expect(docker.createDialog.locator('datalist option[value^="hakuriver/"]')).toHaveCount(0);
  await docker.createDialog.getByRole("button", { name: "Cancel" }).click();

  // A container made outside with a 64-character name (Docker allows it): Create Tar says why not.
  const base = uniqueName("long");
  const long = `${base}-${"y".repeat(64 - base.length - 1)}`;
  made.push(long);
  await (await engine.createContainer({ name: long, Image: LOCAL_IMAGE, Cmd: ["sleep", "infinity"] })).start();
  await docker.open(`?all=1&q=${base}`);
  const tar = docker.button(long, "Create Tar");
  await expect(tar).toHaveAttribute("aria-disabled", "true");
  await expect(tar).toHaveAttribute("title", /at most 63 characters/);
  const res = await page.request.post(`/api/containers/${long}/tar`, { headers: { Authorization: `Bearer ${E2E_TOKEN}` } });
  expect(res.status()).toBe(400);
  expect((await res.json()).error).toMatch(/at most 63 characters/);
});
