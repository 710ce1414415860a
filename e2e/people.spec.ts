import { expect, test } from "@playwright/test";
import { DockerPage } from "./pages/docker-page";
import { LOCAL_IMAGE, engine, removeContainer, uniqueName } from "../tests/helpers/docker";

/** People and roles as a person meets them: an admin adds someone, who signs in by name as a viewer. */
let container: string;
const person = `e2e-${Date.now().toString(36)}`;
const password = "correct horse battery staple";

test.beforeAll(async () => {
  container = uniqueName("people");
  const c = await engine.createContainer({
    name: container,
    Image: LOCAL_IMAGE,
    Cmd: ["sleep", "infinity"],
    Labels: { "hakuriver.managed": "true", "hakuriver.env": container },
    HostConfig: { Init: true },
  });
  await c.start();
});

test.afterAll(async () => {
  await removeContainer(container);
});

test("an admin adds a person in the People page; they set a password through the link, sign in as a viewer, see the lists, and Shell and Delete are disabled with the reason", async ({ page, browser }) => {
  const docker = new DockerPage(page);
  await docker.login();
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as owner (admin)");
  await page.getByRole("link", { name: "People" }).click();
  await expect(page).toHaveURL(/\/people$/);
  const add = page.getByRole("form", { name: "Add a person" });
  await add.getByLabel("Name").fill(person);
  await add.getByLabel("Role").selectOption("viewer");
  await add.getByRole("button", { name: "Add person" }).click();
  const link = await page.getByLabel("Set-password link", { exact: true }).inputValue();
  expect(link).toMatch(/\/set-password\?token=hrset_/);
  const row = page.getByRole("table", { name: "People" }).getByRole("row").filter({ hasText: person });
  await expect(row.getByLabel(`Role of ${person}`)).toHaveValue("viewer");
  await expect(row).toContainText("waiting for the link");

  // The new person, in a browser of their own.
  const theirs = await browser.newContext();
  const them = await theirs.newPage();
  await them.goto(link);
  await them.getByLabel("New password").fill(password);
  await them.getByLabel("Repeat it").fill(password);
  await them.getByRole("button", { name: "Set password" }).click();
  await expect(them.getByRole("status")).toContainText("Your password is set");
  await them.getByLabel("Name").fill(person);
  await them.getByLabel("Password", { exact: true }).fill(password);
  await them.getByRole("button", { name: "Sign in" }).click();
  await expect(them).toHaveURL(/\/docker/);
  await expect(them.getByTestId("signed-in-as")).toHaveText(`Signed in as ${person} (viewer)`);
  await expect(them.getByRole("link", { name: "People" })).toHaveCount(0);

  const viewer = new DockerPage(them);
  await viewer.open("?tab=containers");
  await expect(viewer.row(container)).toBeVisible();
  for (const label of ["Shell", "Delete"] as const) {
    const button = viewer.button(container, label);
    await expect(button).toHaveAttribute("aria-disabled", "true");
    await expect(button).toHaveAttribute("title", /needs the operator role or higher; you are signed in as viewer/);
  }
  // The server refuses regardless: the People API is an admin's.
  expect((await them.request.get("/api/people")).status()).toBe(403);
  await them.screenshot({ path: "test-results/people-viewer.png" });
  await theirs.close();

  // The admin's People page now says the password is set.
  await page.reload();
  await expect(page.getByRole("table", { name: "People" }).getByRole("row").filter({ hasText: person })).toContainText("set");
  await page.screenshot({ path: "test-results/people-admin.png", fullPage: true });
});
