import { expect, test } from "@playwright/test";
import { E2E_TOKEN, PORT } from "./env";
import { DockerPage } from "./pages/docker-page";

test("a page without the session cookie redirects to /login", async ({ page }) => {
  await page.goto("/docker?tab=tarballs");
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.getByLabel("Access token")).toBeVisible();
});

test("/api/containers without auth answers 401 JSON; the bearer token is accepted", async ({ request }) => {
  const anonymous = await request.get("/api/containers");
  expect(anonymous.status()).toBe(401);
  expect(await anonymous.json()).toMatchObject({ code: "unauthorized:auth" });

  const bearer = await request.get("/api/containers", { headers: { Authorization: `Bearer ${E2E_TOKEN}` } });
  expect(bearer.status()).toBe(200);
  expect(Array.isArray((await bearer.json()).containers)).toBe(true);
});

test("/api/health answers without auth", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ ok: true, docker: { reachable: true } });
});

test("logging in with the form sets an HttpOnly SameSite=Strict cookie and returns to the page asked for; Log out ends it", async ({ page, context }) => {
  await page.goto("/docker?tab=tarballs");
  await page.getByLabel("Access token").fill("not-the-token");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "That token is not right" })).toBeVisible();

  await page.getByLabel("Access token").fill(E2E_TOKEN);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/docker\?tab=tarballs$/);
  await expect(page.getByRole("tab", { name: "Shared Tarballs" })).toHaveAttribute("aria-selected", "true");

  const cookie = (await context.cookies()).find((c) => c.name === "hakuriver_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/docker");
  await expect(page).toHaveURL(/\/login/);
});

test("End all sessions logs this browser out and ends the session in another browser too", async ({ page, browser }) => {
  const docker = new DockerPage(page);
  await docker.login();
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await new DockerPage(otherPage).login();
  await page.getByRole("button", { name: "End all sessions" }).click();
  await expect(page).toHaveURL(/\/login/);
  await otherPage.goto("/docker");
  await expect(otherPage).toHaveURL(/\/login/);
  await other.close();
});

test("a server action without a session is refused", async ({ request }) => {
  const res = await request.post("/docker", { headers: { "Next-Action": "0123456789abcdef", Origin: `http://127.0.0.1:${PORT}` }, data: "[]" });
  expect(res.status()).toBe(401);
});

test("the login link from the start-up banner logs in and drops the token from the URL", async ({ page }) => {
  const docker = new DockerPage(page);
  await docker.login();
  expect(page.url()).not.toContain(E2E_TOKEN);
  await expect(docker.tab("Host Containers")).toHaveAttribute("aria-selected", "true");
});
