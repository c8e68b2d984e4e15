// Which database and role `npm run db:migrate` (and start-up's migration step)
// use, and the sentence when the role may not migrate.
import { describe, expect, it } from "vitest";
import { describePrismaFailure, MigrationError, resolveMigrationTarget } from "./migrate";

const runtimeUrl = "postgresql://portal_app@db.internal:5432/portal";
const migrationUrl = "postgresql://portal_migrate:secret@db.internal:5432/portal";
const permissionDenied = "Error: P3018\n\nA migration failed to apply.\n\nMigration name: 20270101000000_x\n\nDatabase error:\nERROR: permission denied for schema public\n";

describe("resolveMigrationTarget", () => {
  it("migrates as DATABASE_MIGRATION_URL's role when it is set, else as DATABASE_URL's", () => {
    expect(resolveMigrationTarget({ DATABASE_URL: runtimeUrl, DATABASE_MIGRATION_URL: migrationUrl })).toMatchObject({
      kind: "postgresql",
      url: migrationUrl,
      variable: "DATABASE_MIGRATION_URL",
      database: "portal",
    });
    expect(resolveMigrationTarget({ DATABASE_URL: runtimeUrl, DATABASE_MIGRATION_URL: " " })).toMatchObject({ url: runtimeUrl, variable: "DATABASE_URL" });
    expect(resolveMigrationTarget({ DATABASE_URL: "" })).toMatchObject({ kind: "embedded" });
  });

  it("refuses a migration URL without DATABASE_URL, for another database, or malformed, naming the variable", () => {
    expect(() => resolveMigrationTarget({ DATABASE_MIGRATION_URL: migrationUrl })).toThrow(
      new MigrationError("DATABASE_MIGRATION_URL is set, so DATABASE_URL (the portal's runtime role) is required too."),
    );
    expect(() => resolveMigrationTarget({ DATABASE_URL: runtimeUrl, DATABASE_MIGRATION_URL: "postgresql://m@db.internal/other" })).toThrow(
      new MigrationError("DATABASE_MIGRATION_URL names database other but DATABASE_URL names portal; both must point at the portal's database."),
    );
    expect(() => resolveMigrationTarget({ DATABASE_URL: runtimeUrl, DATABASE_MIGRATION_URL: "mysql://m@db/portal" })).toThrow(
      new MigrationError("DATABASE_MIGRATION_URL is not a valid postgresql:// URL (expected postgresql://user:password@host:port/database)."),
    );
  });
});

describe("describePrismaFailure", () => {
  it("tells the operator which role migrations need when the database refuses", () => {
    expect(describePrismaFailure(permissionDenied, resolveMigrationTarget({ DATABASE_URL: runtimeUrl }))).toBe(
      "Migration 20270101000000_x failed on PostgreSQL database portal at db.internal:5432: permission denied for schema public; migrations run as the role that owns the schema: set DATABASE_MIGRATION_URL to it (see npm run db:roles).",
    );
    expect(describePrismaFailure(permissionDenied, resolveMigrationTarget({ DATABASE_URL: runtimeUrl, DATABASE_MIGRATION_URL: migrationUrl }))).toBe(
      "Migration 20270101000000_x failed on PostgreSQL database portal at db.internal:5432: permission denied for schema public; the role in DATABASE_MIGRATION_URL must own the schema: run npm run db:roles.",
    );
  });
});
