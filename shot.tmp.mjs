import { chromium } from "@playwright/test";
const [,, url, out, token] = process.argv;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.goto(`http://127.0.0.1:3111/login?token=${token}`);
await page.goto(url);
await page.waitForTimeout(1000);
if (process.env.CLICK) { await page.getByRole("button", { name: process.env.CLICK }).click(); await page.waitForTimeout(500); }
await page.screenshot({ path: out, fullPage: true });
await browser.close();
