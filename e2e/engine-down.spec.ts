import { expect, test } from "@playwright/test";
import { E2E_TOKEN, NO_ENGINE_PORT, NO_ENGINE_SOCKET } from "./env";

const base = `http://127.0.0.1:${NO_ENGINE_PORT}`;

test("with the engine unreachable the page shows a banner naming the endpoint, not an error page", async ({ page }) => {
  await page.goto(`${base}/login?token=${E2E_TOKEN}`);
  await expect(page).toHaveURL(/\/docker/);
  const banner = page.getByRole("alert").filter({ hasText: "Docker engine unreachable" });
  await expect(banner).toContainText("Docker engine unreachable");
  await expect(banner).toContainText(NO_ENGINE_SOCKET);
  // Said up front, not only after a submit fails: the button is there, disabled, with the reason.
  const create = page.getByRole("button", { name: "Create New Container" });
  await expect(create).toBeVisible();
  await expect(create).toHaveAttribute("aria-disabled", "true");
  await expect(create).toHaveAttribute("title", /Docker engine is not answering/);
  await expect(page.getByRole("status").filter({ hasText: "The Docker engine is not answering" })).toBeVisible();
});

test("with the engine unreachable the API answers 503 and health says so", async ({ request }) => {
  const res = await request.get(`${base}/api/containers`, { headers: { Authorization: `Bearer ${E2E_TOKEN}` } });
  expect(res.status()).toBe(503);
  expect(await res.json()).toMatchObject({ code: "unavailable:docker" });
  const health = await request.get(`${base}/api/health`);
  expect(await health.json()).toMatchObject({ ok: true, docker: { reachable: false, version: null } });
});
