import { chromium } from "@playwright/test";
const [, , url, width, height, out, ...offsets] = process.argv;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
const context = await browser.newContext({ storageState: "/work/wt/console/e2e/.auth/auditor.json", viewport: { width: Number(width), height: Number(height) } });
const page = await context.newPage();
await page.goto(url);
for (const offset of offsets.length ? offsets : ["0"]) {
  await page.evaluate((y) => window.scrollTo(0, y), Number(offset));
  await page.waitForTimeout(100);
  await page.screenshot({ path: `${out}-${offset}.png` });
}
console.log(await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.documentElement.scrollHeight]));
await browser.close();
