import { expect, test } from "@playwright/test";
import { DockerPage, recordTexts } from "./pages/docker-page";
import { LOCAL_IMAGE, PULL_IMAGE, engine, removeContainer, removeImage, uniqueName } from "../tests/helpers/docker";

const made: string[] = [];
const named = (prefix: string) => {
  const name = uniqueName(prefix);
  made.push(name);
  return name;
};

test.afterAll(async () => {
  for (const name of made) await removeContainer(name);
});

test("Create New Container pulls from the registry with progress, and the row shows Running in green; Stop, Start and Delete work", async ({ page }) => {
  await removeImage(PULL_IMAGE);
  const docker = new DockerPage(page);
  await docker.login();
  const name = named("ui");

  await docker.fillCreateForm(PULL_IMAGE, name);
  // The pull may finish in well under a second: record every layer line the modal shows meanwhile.
  const shown = await recordTexts(page, '[data-testid="pull-layer"]');
  await docker.submitCreate();
  await expect(docker.createDialog.getByText(`Pulling ${PULL_IMAGE}`)).toBeVisible();
  await expect(page.locator("[data-sonner-toast]").getByText(`Created and started ${name}.`)).toBeVisible();
  await expect(docker.createDialog).toBeHidden();
  const seen = await shown();
  expect(seen.some((line) => /(Downloading|Extracting|Pull complete) · [\d.]+ (B|KiB|MiB) \/ \d+(\.\d)? MiB/.test(line)), seen.join("\n")).toBe(true);
  await expect(docker.status(name)).toHaveText("Running");
  await expect(docker.status(name)).toHaveAttribute("data-tone", "green");

  await expect(docker.button(name, "Shell")).toBeEnabled();
  await expect(docker.button(name, "Create Tar")).toBeEnabled();

  await docker.button(name, "Stop").click();
  await expect(docker.status(name)).toHaveText("Stopped", { timeout: 8_000 });
  await expect(docker.status(name)).toHaveAttribute("data-tone", "slate");
  await expect(docker.button(name, "Shell")).toHaveCount(0);
  expect((await engine.getContainer(name).inspect()).State.Running).toBe(false);

  await docker.button(name, "Start").click();
  await expect(docker.status(name)).toHaveText("Running");

  await docker.deleteContainer(name);
  await expect(docker.row(name)).toHaveCount(0);
  await expect(engine.getContainer(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
});

test("the clicked button shows its pending state", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const name = named("pending");
  await docker.fillCreateForm(LOCAL_IMAGE, name);
  await docker.submitCreate();
  await expect(docker.status(name)).toHaveText("Running");
  // Slow the action down so its pending state can be seen.
  await page.route("**/docker*", async (route) => {
    if (route.request().method() === "POST") await new Promise((r) => setTimeout(r, 800));
    await route.continue();
  });
  await docker.button(name, "Stop").click();
  await expect(docker.row(name).getByRole("button", { name: "Stopping…" })).toHaveAttribute("aria-busy", "true");
  await expect(docker.status(name)).toHaveText("Stopped");
});

test("an action whose call fails in flight says so, and no button stays busy (a row's Stop, Package with note)", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const name = named("lost");
  await docker.fillCreateForm(LOCAL_IMAGE, name);
  await docker.submitCreate();
  await expect(docker.status(name)).toHaveText("Running");
  // Every server action's call is cut, as a dropped connection or a stopped server would.
  const cut = async (route: import("@playwright/test").Route) => (route.request().headers()["next-action"] ? route.abort("connectionreset") : route.continue());
  await page.route("**/docker*", cut);

  await docker.button(name, "Stop").click();
  await expect(page.locator("[data-sonner-toast]").getByText("The dashboard server did not answer. Is it still running?")).toBeVisible();
  await expect(docker.button(name, "Stop")).toBeEnabled();
  await expect(docker.button(name, "Create Tar")).toBeEnabled();
  expect((await engine.getContainer(name).inspect()).State.Running).toBe(true);

  await docker.row(name).getByRole("button", { name: "Package with note…" }).click();
  const dialog = page.getByRole("dialog", { name: `Package ${name} with a note` });
  await dialog.getByLabel("Note").fill("torch 2.6");
  await dialog.getByRole("button", { name: "Package" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("The dashboard server did not answer. Is it still running?");
  await expect(dialog.getByRole("button", { name: "Package" })).toBeEnabled();
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // Once calls go through again, the same button works.
  await page.unroute("**/docker*", cut);
  await docker.button(name, "Stop").click();
  await expect(docker.status(name)).toHaveText("Stopped");
});

test("a bad name shows the message in the form and creates nothing", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  await docker.fillCreateForm(LOCAL_IMAGE, "My Env");
  await docker.submitCreate();
  await expect(docker.createDialog).toContainText("HakuRiver Container Name must be lowercase");
  await expect(docker.createDialog.getByLabel("HakuRiver Container Name")).toHaveValue("My Env");
  await expect(docker.row("My Env")).toHaveCount(0);
});

test("an existing name and an image that cannot be pulled get clear messages", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const name = named("taken");
  await docker.fillCreateForm(LOCAL_IMAGE, name);
  await docker.submitCreate();
  await expect(docker.status(name)).toHaveText("Running");

  await docker.fillCreateForm(LOCAL_IMAGE, name);
  await docker.submitCreate();
  await expect(docker.createDialog.getByRole("alert")).toHaveText(`A container named ${name} already exists.`);
  await docker.createDialog.getByRole("button", { name: "Cancel" }).click();

  const other = named("nopull");
  await docker.fillCreateForm("127.0.0.1:5055/hakuriver-test/missing:1", other);
  await docker.submitCreate();
  await expect(docker.createDialog.getByRole("alert")).toContainText("Could not pull 127.0.0.1:5055/hakuriver-test/missing:1");
  await expect(engine.getContainer(other).inspect()).rejects.toMatchObject({ statusCode: 404 });
});

test("Show all containers lists containers the dashboard did not make, marking the managed ones; the tab survives a reload", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const managed = named("mine");
  const foreign = named("theirs");
  await docker.fillCreateForm(LOCAL_IMAGE, managed);
  await docker.submitCreate();
  await expect(docker.status(managed)).toHaveText("Running");
  await engine.createContainer({ name: foreign, Image: LOCAL_IMAGE, Cmd: ["true"] });

  await page.reload();
  await expect(docker.row(foreign)).toHaveCount(0);
  await page.getByLabel("Show all containers").check();
  await expect(page).toHaveURL(/all=1/);
  await expect(docker.status(foreign)).toHaveText("Created");
  await expect(docker.row(managed)).toContainText("managed");
  await expect(docker.row(foreign)).not.toContainText("managed");

  await docker.tab("Shared Tarballs").click();
  await expect(page).toHaveURL(/tab=tarballs/);
  await page.reload();
  await expect(docker.tab("Shared Tarballs")).toHaveAttribute("aria-selected", "true");
});

test("a container made and started outside the page appears without a reload and without any list request (pushed from the engine's events)", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  await expect(docker.tab("Host Containers")).toHaveAttribute("aria-selected", "true");
  // Wait until the live connection is up, then count the page's own list requests.
  await expect(page.locator('[data-live="on"]')).toHaveCount(1);
  const listRequests: string[] = [];
  page.on("request", (req) => {
    if (new URL(req.url()).pathname === "/api/containers") listRequests.push(req.url());
  });
  const name = named("outside");
  const c = await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["sleep", "60"], Labels: { "hakuriver.managed": "true", "hakuriver.env": name } });
  await expect(docker.status(name)).toHaveText("Created", { timeout: 10_000 });
  await c.start();
  await expect(docker.status(name)).toHaveText("Running", { timeout: 10_000 });
  await c.remove({ force: true });
  await expect(docker.row(name)).toHaveCount(0, { timeout: 10_000 });
  expect(listRequests, "the page polled instead of being pushed").toEqual([]);
});

test("Filter by name narrows the list and survives a reload", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const wanted = named("filter-yes");
  const other = named("filter-no");
  for (const name of [wanted, other]) {
    await engine.createContainer({ name, Image: LOCAL_IMAGE, Cmd: ["true"], Labels: { "hakuriver.managed": "true", "hakuriver.env": name } });
  }
  await page.reload();
  await expect(docker.row(other)).toHaveCount(1);
  await page.getByRole("searchbox", { name: "Filter by name" }).fill(wanted);
  await expect(page).toHaveURL(/q=t-filter-yes/);
  await expect(docker.row(wanted)).toHaveCount(1);
  await expect(docker.row(other)).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("searchbox", { name: "Filter by name" })).toHaveValue(wanted);
  await expect(docker.row(other)).toHaveCount(0);
});

test("during a creation the environment shows once: its pending row gives way to the container's own row, with no gap", async ({ page }) => {
  await removeImage(PULL_IMAGE);
  const docker = new DockerPage(page);
  await docker.login();
  await expect(page.locator('[data-live="on"]')).toHaveCount(1);
  const name = named("once");
  // Every state the table goes through: C the pending row, R the container's row, CR both at once.
  await page.evaluate((n) => {
    const states: string[] = [];
    (window as unknown as { rowStates: string[] }).rowStates = states;
    new MutationObserver(() => {
      const pending = document.querySelector(`tr[data-creating="${n}"]`) ? "C" : "";
      const row = document.querySelector(`tr[data-name="${n}"]`) ? "R" : "";
      const state = pending + row || "-";
      if (states.at(-1) !== state) states.push(state);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  }, name);
  await docker.fillCreateForm(PULL_IMAGE, name);
  await docker.submitCreate();
  await expect(docker.status(name)).toHaveText("Running");
  const states = await page.evaluate(() => (window as unknown as { rowStates: string[] }).rowStates);
  const shown = states.slice(states.findIndex((s) => s !== "-"));
  expect(shown, states.join(" → ")).not.toContain("CR");
  expect(shown.slice(shown.indexOf("R")), `${states.join(" → ")}: the row went away once shown`).toEqual(["R"]);
});
