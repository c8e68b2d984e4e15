// Prisma CLI configuration. The CLI's native schema engine is downloaded from
// binaries.prisma.sh, which many networks (and this project's CI) cannot
// reach; scripts/prisma/schema-engine.mjs stands in for it on top of the
// WebAssembly engine that ships in @prisma/schema-engine-wasm.
import path from "node:path";
import { defineConfig } from "prisma/config";

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("scripts/prisma/schema-engine.mjs");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // The CLI needs a URL for migrate deploy/status. "pglite:" means the
  // embedded database (PGLITE_DATA_DIR, else DATA_DIR/pglite); the stand-in
  // engine opens it.
  datasource: { url: process.env.DATABASE_URL || "pglite:" },
});
