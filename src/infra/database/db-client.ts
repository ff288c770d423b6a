import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';

/**
 * What a repository method runs its SQL on: the client, or the transaction client handed out by
 * `$transaction`. Methods that can take part in a caller's transaction accept one, because with
 * the embedded database (one connection) using the outer client inside a transaction deadlocks.
 */
export type DbClient = PrismaClient | Prisma.TransactionClient;
