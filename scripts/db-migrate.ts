// `npm run db:migrate`: applies pending migrations (prisma/migrations) to
// DATABASE_URL's database, as the role in DATABASE_MIGRATION_URL when that is
// set (the schema's owner, see `npm run db:roles`), or to the embedded
// database in PGLITE_DATA_DIR (default .data/pglite; stop the portal first). Prints one summary line; on failure,
// one sentence and exit code 1.
import { MigrationError, migrateDatabase } from "../server/db/migrate";

try {
  await migrateDatabase();
} catch (error) {
  const message = error instanceof MigrationError ? error.message : `Migration failed: ${(error as Error)?.message ?? error}`;
  console.error(message);
  process.exit(1);
}
