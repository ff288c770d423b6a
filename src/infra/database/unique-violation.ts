import { Prisma } from '../../generated/prisma/client.js';

/** A unique index refused the write (Prisma's P2002); repositories turn it into a domain error. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
