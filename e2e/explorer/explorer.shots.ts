// Screenshots of every explorer state at 1440×900 and 390×844, for a person
// to look at (issue 14, "Done when"). NOT part of the suite: the "chromium"
// project matches only *.spec.ts; run it alone with
//   npx playwright test --project=personas --project=screenshots
// PNGs go to $SHOTS_DIR (default test-results/explorer-shots), with
// summary.json: per shot, how far the page scrolls sideways and axe-core's
// WCAG 2 A/AA violations (serious and critical).
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Page } from "@playwright/test";
import { sql } from "../db";
import { PERSONAS, declarePurpose, expect, storageStateFor, test } from "../fixtures";
import { plantCompletionShown } from "./support";

const SHOTS = process.env.SHOTS_DIR ?? path.join("test-results", "explorer-shots");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const SIZES = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
] as const;

type Finding = { shot: string; overflowPx: number; axe: Array<{ id: string; impact: string | null; nodes: string[] }> };
const findings: Finding[] = [];

test.describe.configure({ timeout: 900_000 }); // ~40 page loads, each audited: minutes on a busy machine

test.afterAll(() => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, "summary.json");
  const earlier = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Finding[]) : [];
  const names = new Set(findings.map((finding) => finding.shot));
  fs.writeFileSync(file, JSON.stringify([...earlier.filter((finding) => !names.has(finding.shot)), ...findings], null, 2));
});

/** Saves `name-<width>.png` (full page) after `prepare` ran at that size, and records overflow and axe findings. */
async function shoot(page: Page, name: string, prepare?: () => Promise<void>, fullPage = true): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const size of SIZES) {
    await page.setViewportSize(size);
    if (prepare) await prepare();
    await page.waitForLoadState("networkidle").catch(() => undefined);
    const shot = `${name}-${size.width}`;
    await page.screenshot({ path: path.join(SHOTS, `${shot}.png`), fullPage });
    const overflowPx = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.addScriptTag({ path: AXE });
    const axe = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[] }> }> }> } }).axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      });
      return result.violations
        .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
        .map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.slice(0, 5).map((node) => JSON.stringify(node.target)) }));
    });
    findings.push({ shot, overflowPx, axe });
  }
}

const goto = (page: Page, url: string) => async () => {
  await page.goto(url);
};

test.describe("the Copilot team viewer", () => {
  test.use({ storageState: storageStateFor("viewerCopilot") });

  test("explorer states", async ({ page }) => {
    await declarePurpose(page.request, "investigate_abuse", "Screenshots of the explorer for issue 14");
    await shoot(page, "events-default", async () => {
      await page.goto("/events");
      await expect(page.getByRole("region", { name: "Events over time" }).getByText(/events? from/)).toBeVisible();
    });
    await shoot(page, "events-filtered-chips", goto(page, "/events?range=30d&kind=completion_shown&os=linux&notCountry=US"));

    const [sample] = await sql<{ machine_id: string }>("SELECT machine_id FROM telemetry_event WHERE machine_id ~ '[a-f]' ORDER BY id LIMIT 1");
    await shoot(page, "events-empty-case-hint", async () => {
      await page.goto(`/events?machineId=${sample!.machine_id.toUpperCase()}`);
      await expect(page.getByText(/differs only in case/)).toBeVisible();
    });
    // the error state: a malformed query is named beside the filters
    await shoot(page, "events-error-bad-input", goto(page, "/events?limit=0&kind=nope&colour=blue"));
    await shoot(page, "events-empty-time-range", goto(page, "/events?from=2020-01-01&to=2020-01-02"));
    // nothing matches at any time: the histogram says so (no invented axis), Export CSV is disabled with its reason
    await shoot(page, "events-empty-any-time", async () => {
      await page.goto(`/events?machineId=${"f".repeat(64)}`);
      await expect(page.getByText("No events match these filters at any time, so there is nothing to draw.")).toBeVisible();
    });
    await shoot(page, "charts-empty", goto(page, `/events/insights?machineId=${"f".repeat(64)}`));
    await shoot(page, "event-not-found", goto(page, "/events/00000000-0000-4000-8000-000000000000"));
    await shoot(page, "event-bad-id", goto(page, "/events/not-an-id"));

    await shoot(page, "facet-picker-open", async () => {
      await page.goto("/events?kind=error");
      const filters = page.getByRole("form", { name: "Filters" });
      await filters.locator("summary", { hasText: "More filters" }).click();
      await filters.getByRole("button", { name: "Top values of Error kind" }).click();
      await expect(filters.getByRole("list", { name: "Top values of Error kind" })).toBeVisible();
    });

    await shoot(
      page,
      "histogram-selection",
      async () => {
        await page.goto("/events?range=7d&kind=completion_requested&kind=completion_shown");
        const plot = page.getByRole("group", { name: /^Events over time\./ });
        await plot.focus();
        await page.keyboard.press("ArrowLeft");
        for (let i = 0; i < 6; i++) await page.keyboard.press("Shift+ArrowLeft");
        await expect(page.getByText(/^Selected .* Press Enter to show them\.$/)).toBeVisible();
      },
      false,
    );
    await shoot(
      page,
      "histogram-drag",
      async () => {
        await page.goto("/events?range=7d&kind=completion_requested&kind=completion_shown");
        const plot = page.getByRole("region", { name: "Events over time" }).locator("svg");
        await page.getByRole("region", { name: "Events over time" }).scrollIntoViewIfNeeded();
        const box = (await plot.boundingBox())!;
        await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
      },
      false,
    );
    await page.mouse.up();

    const [first] = await sql<{ id: string }>("SELECT id::text AS id FROM telemetry_event WHERE kind = 'completion_shown' ORDER BY time DESC, id DESC LIMIT 1 OFFSET 1");
    await shoot(page, "side-panel", goto(page, `/events?kind=completion_shown&limit=25&open=${first!.id}`), false);
    await shoot(page, "side-panel-full", goto(page, `/events?kind=completion_shown&limit=25&open=${first!.id}`));
    await shoot(page, "charts", goto(page, "/events/insights"));

    const [completion] = await sql<{ completion_id: string }>(
      "SELECT completion_id FROM telemetry_event WHERE completion_id IS NOT NULL GROUP BY completion_id HAVING count(*) >= 3 AND count(DISTINCT kind) >= 3 ORDER BY completion_id LIMIT 1",
    );
    const [step] = await sql<{ id: string }>("SELECT id::text AS id FROM telemetry_event WHERE completion_id = $1 ORDER BY time, id OFFSET 1 LIMIT 1", [completion!.completion_id]);
    await shoot(page, "event-timeline", goto(page, `/events/${step!.id}`));

    const planted = await plantCompletionShown(page.request);
    await shoot(page, "event-revealed", async () => {
      await page.goto(`/events/${planted.id}`);
      await page.getByRole("button", { name: "Reveal content" }).click();
      await expect(page.getByRole("region", { name: "Revealed content" })).toBeVisible();
    });
    // focus ring on the revealed region's Hide button, as a keyboard user sees it
    await shoot(
      page,
      "event-revealed-focus",
      async () => {
        await page.goto(`/events/${planted.id}`);
        await page.getByRole("button", { name: "Reveal content" }).click();
        await page.getByRole("button", { name: "Hide content" }).focus();
        await page.keyboard.press("Shift+Tab");
        await page.keyboard.press("Tab");
      },
      false,
    );
    // keyboard: the skip link and a row focused with j
    await shoot(
      page,
      "events-keyboard",
      async () => {
        await page.goto("/events?kind=completion_shown&limit=25");
        await page.locator("#results").focus();
        await page.keyboard.press("j");
        await page.keyboard.press("j");
      },
      false,
    );

    // views: none yet, then one of their own and one shared
    await sql(`DELETE FROM saved_view WHERE name LIKE 'Shots: %'`);
    await shoot(page, "views-list", async () => {
      await page.goto("/events/views");
    });
    await sql(
      `INSERT INTO saved_view (owner_id, name, visibility, group_key, query)
       SELECT id, 'Shots: Linux completions shown in the last 30 days', 'personal'::view_visibility, NULL::group_key, '{"range":"30d","kind":["completion_shown"],"os":"linux"}'::jsonb FROM person WHERE email = $1
       UNION ALL
       SELECT id, 'Shots: Errors by kind, shared with the Copilot team — a longer name that has to wrap on a phone', 'group'::view_visibility, 'copilot_team'::group_key, '{"kind":["error"],"columns":"time,kind,errorKind,os"}'::jsonb FROM person WHERE email = $1`,
      [PERSONAS.viewerCopilot.email],
    );
    await shoot(page, "views-with-views", goto(page, "/events/views"));

    // loading: the next page's server render is held back
    await shoot(
      page,
      "events-loading",
      async () => {
        await page.goto("/events/insights");
        await page.route(/\/events(\?|$)/, async (route) => {
          await new Promise((resolve) => setTimeout(resolve, 4_000));
          await route.continue().catch(() => undefined);
        });
        await page.getByRole("link", { name: /^Events$/ }).first().click();
        // the page on screen is marked busy, with a badge naming what loads, while the next one loads (components/portal-main.tsx)
        await expect(page.locator("main#main")).toHaveAttribute("aria-busy", "true");
        await expect(page.locator(".navigation-badge")).toBeVisible();
      },
      false,
    );
    await page.unrouteAll({ behavior: "ignoreErrors" });
    await sql(`DELETE FROM saved_view WHERE name LIKE 'Shots: %'`);
  });
});

test.describe("the platform health viewer", () => {
  test.use({ storageState: storageStateFor("viewerHealth") });

  test("explorer states", async ({ page }) => {
    await declarePurpose(page.request, "investigate_abuse", "Screenshots of the explorer for issue 14");
    await shoot(page, "health-events", goto(page, "/events"));
    await shoot(page, "health-views-empty", goto(page, "/events/views"));
    const [event] = await sql<{ id: string }>("SELECT id::text AS id FROM telemetry_event WHERE kind = 'completion_shown' ORDER BY time DESC LIMIT 1");
    await shoot(page, "health-event", goto(page, `/events/${event!.id}`));
    await shoot(page, "health-empty-field-out-of-scope", goto(page, "/events?city=Paris"));
  });
});

test.describe("the Microsoft viewer", () => {
  test.use({ storageState: storageStateFor("viewerMicrosoft") });

  test("explorer states", async ({ page }) => {
    await declarePurpose(page.request, "investigate_abuse", "Screenshots of the explorer for issue 14");
    await shoot(page, "microsoft-events", goto(page, "/events"));
    await shoot(page, "microsoft-empty-kind-out-of-scope", goto(page, "/events?kind=error"));
    const [event] = await sql<{ id: string }>("SELECT id::text AS id FROM telemetry_event WHERE kind = 'completion_shown' ORDER BY time DESC LIMIT 1");
    await shoot(page, "microsoft-event", goto(page, `/events/${event!.id}`));
    await shoot(page, "microsoft-charts", goto(page, "/events/insights"));
  });
});
