// Each viewer persona, signed in through the demo identity provider (setup in
// personas.setup.ts), sees their own groups and the telemetry scope those
// groups grant on the home page, and nothing of the admin or audit consoles.
import { PERSONAS, declarePurpose, expect, storageStateFor, test, type SignedInPersona } from "../fixtures";

/** DTO keys of the field classes a group may not grant (lib/telemetry/fields.ts). */
const CLASS_KEYS = {
  Identifiers: ["machineId", "sessionId", "completionId"],
  Location: ["country", "region", "city"],
  Content: ["content", "prefix", "suffix", "suggestions"],
} as const;
const COMPLETION_KINDS = ["completion_requested", "completion_shown", "completion_redacted", "completion_accepted", "completion_rejected", "completion_persisted"];
const API_KINDS: Record<string, string[]> = {
  viewerCopilot: [...COMPLETION_KINDS, "error", "other"],
  viewerHealth: [...COMPLETION_KINDS, "error"],
  viewerMicrosoft: COMPLETION_KINDS,
  viewerOpenai: COMPLETION_KINDS,
};

const VIEWERS: Array<{ persona: SignedInPersona; kinds: RegExp; classes: string[]; hiddenClasses: string[] }> = [
  {
    persona: "viewerCopilot",
    kinds: /Event kinds: Error, .*Completion persisted, Other \(unmapped\)\./,
    classes: ["Identifiers", "Environment", "Location", "Measurements", "Content"],
    hiddenClasses: [],
  },
  {
    persona: "viewerHealth",
    kinds: /Event kinds: Error, Completion requested, .*Completion persisted\./,
    classes: ["Environment", "Measurements"],
    hiddenClasses: ["Identifiers", "Location", "Content"],
  },
  {
    persona: "viewerMicrosoft",
    kinds: /Event kinds: Completion requested, .*Completion persisted\./,
    classes: ["Environment", "Location", "Measurements", "Content"],
    hiddenClasses: ["Identifiers"],
  },
  {
    persona: "viewerOpenai",
    kinds: /Event kinds: Completion requested, .*Completion persisted\./,
    classes: ["Environment", "Location", "Measurements", "Content"],
    hiddenClasses: ["Identifiers"],
  },
];

for (const { persona, kinds, classes, hiddenClasses } of VIEWERS) {
  const { email, name, groups } = PERSONAS[persona];

  test.describe(email, () => {
    test.use({ storageState: storageStateFor(persona) });

    test("sees their groups and scope on the home page, and no admin or audit console", async ({ page }) => {
      // the home page shows the scope as narrowed by the session's purpose (other specs share this
      // persona's session): declare the one that needs every field class, so the groups decide
      await declarePurpose(page.request, "investigate_abuse");
      await page.goto("/");
      await expect(page.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();
      const browse = page.getByRole("region", { name: "Browse telemetry" });
      await expect(browse).toContainText(`Groups: ${groups.join(", ")}.`);
      await expect(browse).toContainText(kinds);
      for (const fieldClass of classes) await expect(browse.getByRole("listitem").filter({ hasText: new RegExp(`^${fieldClass} `) })).toHaveCount(1);
      for (const fieldClass of hiddenClasses) await expect(browse.getByRole("listitem").filter({ hasText: new RegExp(`^${fieldClass} `) })).toHaveCount(0);

      const nav = page.getByRole("navigation", { name: "Main" });
      await expect(nav.getByRole("link", { name: "Events" })).toBeVisible();
      await expect(nav.getByRole("link", { name: "Access list" })).toHaveCount(0);
      await expect(nav.getByRole("link", { name: "Audit trail" })).toHaveCount(0);
      await expect(page.getByRole("region", { name: "Access list" })).toHaveCount(0);
      await expect(page.getByRole("region", { name: "Audit trail" })).toHaveCount(0);
      await expect(page.getByRole("banner")).toContainText(email);
    });

    test("GET /api/v1/me answers with the same person, groups and scope", async ({ page }) => {
      const response = await page.request.get("/api/v1/me");
      expect(response.status()).toBe(200);
      const me = await response.json();
      expect(me).toMatchObject({ email, name, roles: ["viewer"] });
      expect(me.groups).toHaveLength(1);
      expect(me).not.toHaveProperty("sessionToken");
    });

    test("the events API returns only the event kinds and field classes the groups grant", async ({ page }) => {
      await declarePurpose(page.request);
      const response = await page.request.get("/api/v1/events?limit=200");
      expect(response.status()).toBe(200);
      const { items } = (await response.json()) as { items: Array<Record<string, unknown>> };
      expect(items.length).toBeGreaterThan(0);
      const allowedKinds = API_KINDS[persona]!;
      for (const item of items) {
        expect(allowedKinds).toContain(item.kind);
        for (const fieldClass of hiddenClasses) {
          for (const key of CLASS_KEYS[fieldClass as keyof typeof CLASS_KEYS] ?? []) expect(item, `${fieldClass} leaked`).not.toHaveProperty(key);
        }
        // content is never part of a list, only of an audited reveal
        for (const key of CLASS_KEYS.Content) expect(item).not.toHaveProperty(key);
      }
      if (!hiddenClasses.includes("Identifiers")) expect(items[0]).toHaveProperty("machineId");
      if (!hiddenClasses.includes("Location")) expect(items[0]).toHaveProperty("country");
    });
  });
}
