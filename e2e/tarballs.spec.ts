import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_CONTAINER_DIR, E2E_TOKEN, NO_ENGINE_PORT } from "./env";
import { DockerPage, TarballsTab, recordTexts } from "./pages/docker-page";
import { LOCAL_IMAGE, engine, execIn, removeContainer, removeImage, uniqueName } from "../tests/helpers/docker";

const made: string[] = [];
test.afterAll(async () => {
  for (const name of made) {
    await removeContainer(name);
    await removeImage(`hakuriver/${name}:base`);
  }
  // Tags New container from this version made (hakuriver/<name>:v<ts>).
  for (const image of await engine.listImages({ filters: { reference: made.map((n) => `hakuriver/${n}:*`) } })) {
    for (const tag of image.RepoTags ?? []) await removeImage(tag);
  }
});

test("Create Tar shows live progress, the new version appears in Shared Tarballs, an older one is deleted after confirming, Refresh picks up new files", async ({ page }) => {
  test.setTimeout(120_000);
  const docker = new DockerPage(page);
  await docker.login();
  const name = uniqueName("tar");
  made.push(name);
  await docker.fillCreateForm(LOCAL_IMAGE, name);
  await docker.submitCreate();
  await expect(docker.status(name)).toHaveText("Running");
  // Enough data that saving takes a visible while.
  expect((await execIn(name, ["sh", "-c", "head -c 209715200 /dev/urandom > /root/data"])).exitCode).toBe(0);
  // An older version written by hand, as the Python host would.
  fs.mkdirSync(E2E_CONTAINER_DIR, { recursive: true });
  const older = `${name}-1700000000.tar`;
  fs.writeFileSync(path.join(E2E_CONTAINER_DIR, older), "older version");

  const shown = await recordTexts(page, '[data-testid="packaging-row"]');
  await docker.button(name, "Create Tar").click();
  const progress = page.getByRole("status", { name: `Create Tar of ${name}` });
  await expect(progress).toContainText(/Committing|Saving/);
  await expect(progress).toContainText(/Packaged .* as .*\.tar/, { timeout: 90_000 });
  const seen = await shown();
  expect(seen.some((t) => /Saving[\d.]+ (B|KiB|MiB) \/ \d+(\.\d)? MiB/.test(t)), seen.slice(-5).join("\n")).toBe(true);
  await expect(page.locator("[data-sonner-toast]").getByText(new RegExp(`Packaged ${name} as ${name}-\\d+\\.tar`))).toBeVisible();
  const newest = (await progress.textContent())!.match(new RegExp(`${name}-\\d+\\.tar`))![0];
  await expect(docker.status(name)).toHaveText("Running");

  const tarballs = new TarballsTab(page);
  await docker.tab("Shared Tarballs").click();
  await expect(tarballs.environment(name)).toContainText(newest);
  await expect(tarballs.environment(name)).toContainText("2");
  await tarballs.expand(name);
  await expect(tarballs.versions(name).getByRole("row")).toHaveCount(3);
  await expect(tarballs.versions(name).getByRole("row").nth(1)).toContainText(newest);

  await tarballs.deleteVersion(older);
  await expect(tarballs.version(older)).toHaveCount(0);
  expect(fs.existsSync(path.join(E2E_CONTAINER_DIR, older))).toBe(false);
  expect(fs.existsSync(path.join(E2E_CONTAINER_DIR, newest))).toBe(true);

  const another = `${name}-1600000000.tar`;
  fs.writeFileSync(path.join(E2E_CONTAINER_DIR, another), "another");
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(tarballs.version(another)).toBeVisible();
});

test("an empty container dir explains how to make the first tarball", async ({ page }) => {
  // The second server has a data dir of its own, with no tarballs in it.
  const base = `http://127.0.0.1:${NO_ENGINE_PORT}`;
  await page.goto(`${base}/login?token=${E2E_TOKEN}&next=${encodeURIComponent("/docker?tab=tarballs")}`);
  await expect(page.getByRole("tab", { name: "Shared Tarballs" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByText("No tarballs yet.")).toBeVisible();
  await expect(page.getByRole("tabpanel")).toContainText("Use Create Tar on a Host container");
});

test("/api/environments lists names with their latest tarball; both tarball APIs need the login", async ({ page, request }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const env = uniqueName("api");
  fs.mkdirSync(E2E_CONTAINER_DIR, { recursive: true });
  for (const ts of [1700000000, 1700000500]) fs.writeFileSync(path.join(E2E_CONTAINER_DIR, `${env}-${ts}.tar`), "x");
  try {
    const res = await page.request.get("/api/environments");
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { environments: { name: string; latest: { file: string } }[] };
    expect(body.environments.find((e) => e.name === env)).toMatchObject({ latest: { file: `${env}-1700000500.tar` } });
  } finally {
    for (const ts of [1700000000, 1700000500]) fs.rmSync(path.join(E2E_CONTAINER_DIR, `${env}-${ts}.tar`), { force: true });
  }
  expect((await request.get("/api/tarballs")).status()).toBe(401);
  expect((await request.get("/api/environments")).status()).toBe(401);
});

test("a version: note shown, details read from the tar, Verify with progress, download, and a new container from an older version", async ({ page }) => {
  test.setTimeout(240_000);
  const docker = new DockerPage(page);
  await docker.login();
  const name = uniqueName("ver");
  const restored = uniqueName("back");
  made.push(name, restored);
  await docker.fillCreateForm(LOCAL_IMAGE, name);
  await docker.submitCreate();
  await expect(docker.status(name)).toHaveText("Running");
  // Enough data that Verify takes a visible while.
  expect((await execIn(name, ["sh", "-c", "head -c 157286400 /dev/urandom > /root/data && echo first > /root/marker"])).exitCode).toBe(0);

  const note = `cuda 12.4 + torch 2.6 ${name}`;
  await docker.row(name).getByRole("button", { name: "Package with note…" }).click();
  const noteDialog = page.getByRole("dialog", { name: `Package ${name} with a note` });
  await noteDialog.getByLabel("Note").fill(note);
  await noteDialog.getByRole("button", { name: "Package", exact: true }).click();
  const progress = page.getByRole("status", { name: `Create Tar of ${name}` });
  await expect(progress).toContainText(/Packaged .* as .*\.tar/, { timeout: 90_000 });
  const older = (await progress.textContent())!.match(new RegExp(`${name}-\\d+\\.tar`))![0];
  expect((await execIn(name, ["sh", "-c", "echo second > /root/marker"])).exitCode).toBe(0);
  await expect(docker.button(name, "Create Tar")).toBeEnabled();
  await docker.button(name, "Create Tar").click();
  await expect(progress).toContainText(new RegExp(`Packaged .* as (?!${older})${name}-\\d+\\.tar`), { timeout: 90_000 });
  const baseId = (await engine.getImage(`hakuriver/${name}:base`).inspect()).Id;

  const tarballs = new TarballsTab(page);
  await docker.tab("Shared Tarballs").click();
  await expect(page.getByTestId("directory-space")).toContainText(/used of .* free/);
  await tarballs.expand(name);
  await expect(tarballs.version(older).getByTestId("version-note")).toHaveText(note);

  // Details, from the tar itself.
  await tarballs.version(older).getByRole("button", { name: `Details of ${older}` }).click();
  const details = page.getByRole("region", { name: `Details of ${older}` });
  await expect(details).toContainText(`hakuriver/${name}:base`);
  await expect(details).toContainText('["sleep","infinity"]');
  await expect(details).toContainText(note);
  await expect(details).toContainText(LOCAL_IMAGE);
  await expect(details.getByTestId("load-command")).toHaveText(`docker load -i ${older}`);

  // Verify, with progress, then the kept result and the sha256.
  const shown = await recordTexts(page, `[aria-label="Verify of ${older}"]`);
  await tarballs.version(older).getByRole("button", { name: `Verify ${older}` }).click();
  await expect(tarballs.version(older).getByRole("status", { name: `Verify of ${older}` })).toContainText("Verified: intact", { timeout: 60_000 });
  const seen = await shown();
  expect(seen.some((t) => /Verifying \d+%/.test(t)), seen.slice(0, 5).join("\n")).toBe(true);
  const sha = createHash("sha256").update(fs.readFileSync(path.join(E2E_CONTAINER_DIR, older))).digest("hex");
  await expect(details).toContainText(sha);

  // Download from the browser: the same bytes.
  const downloading = page.waitForEvent("download");
  await details.getByRole("link", { name: `Download ${older}` }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(older);
  const saved = await download.path();
  expect(createHash("sha256").update(fs.readFileSync(saved)).digest("hex")).toBe(sha);
  // The same over HTTP: Content-Length, the sha256 header, and a resumed download (Range) that completes the file.
  const url = `/api/tarballs/${older}/download`;
  const bytes = fs.readFileSync(path.join(E2E_CONTAINER_DIR, older));
  const head = await page.request.head(url);
  expect(head.headers()["content-length"]).toBe(String(bytes.length));
  expect(head.headers()["x-checksum-sha256"]).toBe(sha);
  const half = Math.floor(bytes.length / 2);
  const rest = await page.request.get(url, { headers: { Range: `bytes=${half}-` } });
  expect(rest.status()).toBe(206);
  expect(rest.headers()["content-range"]).toBe(`bytes ${half}-${bytes.length - 1}/${bytes.length}`);
  expect(Buffer.concat([bytes.subarray(0, half), await rest.body()]).equals(bytes)).toBe(true);
  expect((await page.request.get(url, { headers: { Range: `bytes=${bytes.length}-` } })).status()).toBe(416);

  // Back to the older version as a new Host container; the base tag of the newest stays.
  await details.getByRole("button", { name: "New container from this version" }).click();
  const dialog = page.getByRole("dialog", { name: `New container from ${older}` });
  await expect(dialog.getByLabel("Container name")).toHaveValue(/-restored$/);
  await expect(dialog).toContainText(`To put this version back as ${name} itself`);
  await dialog.getByLabel("Container name").fill(restored);
  await dialog.getByRole("button", { name: "Create container", exact: true }).click();
  await expect(dialog).toContainText(`Created and started ${restored}`, { timeout: 90_000 });
  await dialog.getByRole("button", { name: "Done" }).click();
  expect((await execIn(restored, ["cat", "/root/marker"])).output.trim()).toBe("first");
  expect((await engine.getImage(`hakuriver/${name}:base`).inspect()).Id).toBe(baseId);
  await docker.tab("Host Containers").click();
  await expect(docker.status(restored)).toHaveText("Running");
});
