import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../infra/database/prisma.service.js';
import { isUniqueViolation } from '../infra/database/unique-violation.js';
import { EmailTakenError } from './user.errors.js';

const userWithFaceCount = { _count: { select: { faces: true } } } satisfies Prisma.UserInclude;
const faceColumns = {
  id: true,
  detectionScore: true,
  box: true,
  imageSha256: true,
  createdAt: true,
  embeddings: { select: { model: true }, orderBy: { createdAt: 'asc' } },
} satisfies Prisma.FaceSelect;

export type UserRow = Prisma.UserGetPayload<{ include: typeof userWithFaceCount }>;
export type FaceRow = Prisma.FaceGetPayload<{ select: typeof faceColumns }>;

export interface UserFilter {
  name?: string;
  email?: string;
}

/** Users and their face rows. Vectors are never read here (they stay in Unsupported columns). */
@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(filter: UserFilter, skip: number, take: number): Promise<{ rows: UserRow[]; total: number }> {
    const where: Prisma.UserWhereInput = {
      ...(filter.name ? { name: { contains: literal(filter.name), mode: 'insensitive' } } : {}),
      ...(filter.email ? { email: { contains: literal(filter.email), mode: 'insensitive' } } : {}),
    };
    const [rows, total] = await this.prisma.$transaction([
      this.prisma.user.findMany({
        where,
        include: userWithFaceCount,
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        skip,
        take,
      }),
      this.prisma.user.count({ where }),
    ]);
    return { rows, total };
  }

  findById(id: string): Promise<UserRow | null> {
    return this.prisma.user.findUnique({ where: { id }, include: userWithFaceCount });
  }

  async facesOf(userId: string): Promise<Array<FaceRow & { hasCrop: boolean }>> {
    const [faces, withCrop] = await this.prisma.$transaction([
      this.prisma.face.findMany({ where: { userId }, select: faceColumns, orderBy: { createdAt: 'asc' } }),
      this.prisma.face.findMany({ where: { userId, crop: { not: null } }, select: { id: true } }),
    ]);
    const cropped = new Set(withCrop.map((f) => f.id));
    return faces.map((face) => ({ ...face, hasCrop: cropped.has(face.id) }));
  }

  /** The stored JPEG crop of one of a user's faces; null when the face is absent or has none. */
  async crop(userId: string, faceId: string): Promise<Uint8Array | null> {
    const face = await this.prisma.face.findFirst({ where: { id: faceId, userId }, select: { crop: true } });
    return face?.crop ?? null;
  }

  /** Returns null when the user does not exist; `EmailTakenError` when another user has the e-mail. */
  async update(id: string, data: Prisma.UserUpdateInput): Promise<UserRow | null> {
    try {
      const { count } = await this.prisma.user.updateMany({ where: { id }, data });
      return count === 0 ? null : this.findById(id);
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }

  /** Deletes the user; their faces go with them (ON DELETE CASCADE). Returns false when absent. */
  async delete(id: string): Promise<boolean> {
    const { count } = await this.prisma.user.deleteMany({ where: { id } });
    return count > 0;
  }

  async deleteFace(userId: string, faceId: string): Promise<boolean> {
    const { count } = await this.prisma.face.deleteMany({ where: { id: faceId, userId } });
    return count > 0;
  }
}

/**
 * Prisma's `contains` becomes `ILIKE '%' || value || '%'` with the value's own `%` and `_` still
 * wildcards, so `?name=%` matched every user; escaped (PostgreSQL's LIKE escape is `\`), a filter
 * matches exactly the text the client typed.
 */
export function literal(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
