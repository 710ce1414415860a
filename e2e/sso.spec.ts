import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { E2E_DATA, OIDC_PROVIDER_PORT, SSO_PORT } from "./env";
import { expectNoSeriousViolations } from "./fixtures/axe";

/**
 * Single sign-on as a person meets it: the dashboard's login page, the OpenID provider's own login
 * and consent pages (oidc-provider on loopback, started by playwright.config.ts), and back. The
 * provider's groups pick the role; a forged state or nonce is refused.
 */
const SSO = `http://127.0.0.1:${SSO_PORT}`;
const PROVIDER = `http://127.0.0.1:${OIDC_PROVIDER_PORT}`;

/** From the dashboard's login page through the provider's pages, as `login`. */
async function signInThroughProvider(page: Page, login: string): Promise<void> {
  await page.goto(`${SSO}/login?next=/docker`);
  await page.getByRole("link", { name: "Sign in with single sign-on" }).click();
  await expect(page).toHaveURL(new RegExp(`^${PROVIDER}/`));
  await providerPages(page, login);
}

/** The provider's own login page, then its consent page (the first time this client asks). */
async function providerPages(page: Page, login: string): Promise<void> {
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("any password at all");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

function auditLines(): { person?: string; action: string; result: string; detail?: string }[] {
  const file = path.join(E2E_DATA, "sso", "audit.log");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
}

/** The login page's message (Next's route announcer is an alert too). */
function loginAlert(page: Page) {
  return page.getByRole("main").getByRole("alert");
}

/** The dashboard's cookies in this browser, whatever their path (the provider's, on the same host, left out). */
async function ourCookies(page: Page): Promise<string[]> {
  return (await page.context().cookies()).map((c) => c.name).filter((n) => n.startsWith("hakuriver"));
}

/**
 * Starts a sign-in as the login page's link does (the browser keeps the flow cookie), but goes to
 * the provider with one parameter of the authorisation request rewritten: what an attacker who
 * swaps the request, or a provider that answers another sign-in, sends back.
 */
async function signInForged(page: Page, login: string, param: "state" | "nonce"): Promise<void> {
  const start = await page.request.get(`${SSO}/api/auth/oidc/start?next=/docker`, { maxRedirects: 0 });
  expect(start.status()).toBe(303);
  const url = new URL(start.headers().location);
  expect(url.searchParams.get(param)).toBeTruthy();
  url.searchParams.set(param, `forged-${param}-0123456789`);
  await page.goto(url.href);
  await providerPages(page, login);
}

test("a person in a group mapped to operator signs in through the provider's pages; the page and the audit log name them", async ({ page }) => {
  await signInThroughProvider(page, "ada");
  await expect(page).toHaveURL(`${SSO}/docker`);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as ada (operator)");
  // An operator makes environments; managing people is an admin's.
  await expect(page.getByRole("button", { name: "Create New Container" })).toBeEnabled();
  await expect(page.getByRole("link", { name: "People" })).toHaveCount(0);
  expect((await page.request.get(`${SSO}/api/people`)).status()).toBe(403);
  const login = auditLines().filter((l) => l.action === "login" && l.person === "ada").at(-1);
  expect(login).toMatchObject({ result: "ok", detail: "single sign-on" });
  // No secret of the flow is left in the browser: the flow cookie is gone once used.
  expect(await ourCookies(page)).toEqual(["hakuriver_session"]);
});

test("in Tokens, a single sign-on operator makes a token of at most their role, it works as a bearer, and Revoke ends it at once", async ({ page, playwright }) => {
  await signInThroughProvider(page, "ada");
  await page.getByRole("link", { name: "Tokens" }).click();
  const form = page.getByRole("form", { name: "Make a token" });
  await expect(form.getByLabel("Role").locator("option")).toHaveText(["viewer", "operator"]);
  const name = `ada-ci-${Date.now().toString(36)}`;
  await form.getByLabel("Token name").fill(name);
  await form.getByLabel("Role").selectOption("operator");
  await form.getByRole("button", { name: "Make token" }).click();
  const secret = await page.getByLabel("New token").inputValue();
  expect(secret).toMatch(/^hrt_/);
  await expectNoSeriousViolations(page, "Tokens, with a new token shown");
  const row = page.getByRole("table", { name: "Personal API tokens" }).getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("ada");
  // A script with it, in no browser: no cookie, only the bearer.
  const script = await playwright.request.newContext({ baseURL: SSO, extraHTTPHeaders: { Authorization: `Bearer ${secret}` } });
  try {
    expect((await script.get("/api/containers")).status()).toBe(200);
    await row.getByRole("button", { name: `Revoke ${name}` }).click();
    await expect(row).toHaveCount(0);
    expect((await script.get("/api/containers")).status()).toBe(401);
  } finally {
    await script.dispose();
  }
  // The secret is not on the page again after a reload.
  await page.reload();
  await expect(page.getByLabel("New token")).toHaveCount(0);
});

test("an admin sees a single sign-on person in People, without a password link", async ({ page }) => {
  await signInThroughProvider(page, "grace");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as grace (admin)");
  await page.getByRole("link", { name: "People" }).click();
  const row = page.getByRole("table", { name: "People" }).getByRole("row").filter({ hasText: "grace" });
  await expect(row).toContainText("single sign-on");
  await expect(row.getByLabel("Role of grace")).toBeDisabled();
  await expect(row.getByRole("button", { name: "New set-password link for grace" })).toHaveCount(0);
  await expectNoSeriousViolations(page, "People, with a single sign-on person");
});

test("a person in no mapped group is refused with a plain message, and has no session", async ({ page }) => {
  await signInThroughProvider(page, "eve");
  await expect(page).toHaveURL(/\/login\?error=sso-role/);
  await expect(loginAlert(page)).toContainText("not in a group this dashboard admits");
  await expectNoSeriousViolations(page, "Log in, with single sign-on and a refusal");
  await page.goto(`${SSO}/docker`);
  await expect(page).toHaveURL(/\/login/);
  expect(auditLines().filter((l) => l.person === "eve").at(-1)).toMatchObject({ action: "login", result: "error" });
});

test("a state that is not this browser's is refused, and nobody is signed in", async ({ page }) => {
  await signInForged(page, "ada", "state");
  await expect(page).toHaveURL(/\/login\?error=sso-state/);
  await expect(loginAlert(page)).toContainText("not started in this browser");
  expect(await ourCookies(page), "no session, and the used flow cookie is cleared").toEqual([]);
});

test("an ID token whose nonce is not this sign-in's is refused, and nobody is signed in", async ({ page }) => {
  await signInForged(page, "ada", "nonce");
  await expect(page).toHaveURL(/\/login\?error=sso-check/);
  await expect(loginAlert(page)).toContainText("failed the checks");
  expect(await ourCookies(page), "no session, and the used flow cookie is cleared").toEqual([]);
  expect(auditLines().filter((l) => l.action === "login").at(-1)?.detail).toMatch(/single sign-on: the provider's answer failed a check/);
});

test("a callback without a sign-in under way is refused", async ({ page }) => {
  await page.goto(`${SSO}/api/auth/oidc/callback?code=stolen-code&state=guessed`);
  await expect(page).toHaveURL(/\/login\?error=sso-state/);
  await expect(loginAlert(page)).toContainText("not started in this browser");
});
