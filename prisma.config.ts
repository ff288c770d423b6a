import { defineConfig } from 'prisma/config';

// `prisma generate` only checks that some schema-engine binary exists; it never runs it. Pointing
// it at node lets the client be generated on machines that cannot download Prisma's engines.
// Migrations are applied by the app itself (src/infra/database/migrator.ts), not the engine.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
process.env.CHECKPOINT_DISABLE ??= '1';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/face' },
});
