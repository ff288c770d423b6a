import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EmbeddingSpace } from '../face/model-profile.js';
import { DatabaseService } from '../infra/database/database.service.js';
import { HNSW_MAX_DIMENSIONS } from '../infra/database/pgvector.js';
import { PrismaService } from '../infra/database/prisma.service.js';

/** HNSW build parameters. */
export interface HnswParams {
  m: number;
  efConstruction: number;
}

/**
 * pgvector's defaults. bench:search measured them against larger graphs (docs/benchmarks.md): at a
 * million faces they reach recall@1 ≥ 0.99 at the service's ef_search, so the smaller, faster-built
 * graph is kept.
 */
export const DEFAULT_HNSW: HnswParams = { m: 16, efConstruction: 64 };

/** Space keys are built from package names, versions and hashes; nothing else is ever written into DDL. */
const SPACE_KEY = /^[A-Za-z0-9_.:@+~/-]{1,200}$/;

export function indexName(spaceKey: string): string {
  return `face_embeddings_hnsw_${createHash('sha256').update(spaceKey).digest('hex').slice(0, 16)}`;
}

/**
 * One HNSW index per embedding space: a partial expression index on `embedding::vector(N)` for the
 * rows `WHERE model = <space>`, which a search of that space (same cast, same filter) reads.
 * Spaces of different dimensions share the table without a typed column. On a PostgreSQL server
 * the index is built CONCURRENTLY, so writes go on meanwhile; the embedded database is a single
 * session and builds it in place — new spaces are empty when they appear, so that costs nothing.
 */
@Injectable()
export class FaceIndexRepository {
  private readonly logger = new Logger(FaceIndexRepository.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly database: DatabaseService,
  ) {}

  async ensureIndex(
    space: EmbeddingSpace,
    { m, efConstruction }: HnswParams = DEFAULT_HNSW,
  ): Promise<'exists' | 'created' | 'unsupported'> {
    if (!Number.isInteger(m) || !Number.isInteger(efConstruction))
      throw new RangeError('HNSW parameters must be integers');
    if (!SPACE_KEY.test(space.key)) throw new RangeError(`Unsafe embedding space key ${space.key}`);
    if (space.dimension > HNSW_MAX_DIMENSIONS) {
      this.logger.warn(
        `No HNSW index for ${space.key}: ${space.dimension} dimensions exceed pgvector's ${HNSW_MAX_DIMENSIONS}; searches scan exactly`,
      );
      return 'unsupported';
    }
    const name = indexName(space.key);
    const state = await this.state(name);
    if (state === 'valid') return 'exists';
    const concurrently = this.database.mode === 'external' ? 'CONCURRENTLY' : '';
    // A CONCURRENTLY build that was interrupted leaves an invalid index behind; it must go first.
    if (state === 'invalid')
      await this.prisma.$executeRawUnsafe(`DROP INDEX ${concurrently} IF EXISTS "${name}"`);
    const started = performance.now();
    try {
      await this.prisma.$executeRawUnsafe(
        `CREATE INDEX ${concurrently} IF NOT EXISTS "${name}" ON face_embeddings ` +
          `USING hnsw ((embedding::vector(${space.dimension})) vector_cosine_ops) ` +
          `WITH (m = ${m}, ef_construction = ${efConstruction}) WHERE model = '${space.key}'`,
      );
    } catch (error) {
      // Another instance building the same index at the same moment: theirs will do.
      if ((await this.state(name)) !== 'valid') throw error;
      return 'exists';
    }
    this.logger.log(`HNSW index for ${space.key} built in ${Math.round(performance.now() - started)} ms`);
    return 'created';
  }

  private async state(name: string): Promise<'valid' | 'invalid' | 'absent'> {
    const rows = await this.prisma.$queryRaw<Array<{ valid: boolean }>>`
      SELECT i.indisvalid AS valid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
      WHERE c.relname = ${name}`;
    const row = rows[0];
    return !row ? 'absent' : row.valid ? 'valid' : 'invalid';
  }
}
