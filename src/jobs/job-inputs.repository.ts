import { Injectable } from '@nestjs/common';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Prisma } from '../generated/prisma/client.js';
import { bytes } from '../infra/database/bytes.js';
import { PrismaService } from '../infra/database/prisma.service.js';
import { JobInputMissingError } from './job.errors.js';
import type { ItemRef } from './job-queue.repository.js';

/** Size of one stored chunk: large enough to be few rows, small enough never to strain memory. */
export const INPUT_CHUNK_BYTES = 1024 * 1024;

/**
 * The uploaded bytes of job items, stored in the database in 1 MiB chunks until the item ends.
 * Files are copied in and read back one chunk at a time, so a large video never sits whole in
 * memory on either side.
 */
@Injectable()
export class JobInputsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Copies a file into the item's chunks (each chunk one short statement). */
  async store(item: ItemRef, path: string): Promise<void> {
    let chunk = 0;
    for await (const data of createReadStream(path, { highWaterMark: INPUT_CHUNK_BYTES })) {
      await this.prisma.$executeRaw(Prisma.sql`
        INSERT INTO job_inputs (job_id, seq, chunk, data)
        VALUES (${item.jobId}::uuid, ${item.seq}, ${chunk++}, ${bytes(data as Buffer)})`);
    }
  }

  /** The whole input, for photos (bounded by MAX_IMAGE_BYTES). */
  async read(item: ItemRef): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of this.chunks(item)) parts.push(part);
    if (parts.length === 0) throw new JobInputMissingError();
    return Buffer.concat(parts);
  }

  /** Writes the input to a file, one chunk in memory at a time (videos). */
  async writeTo(item: ItemRef, path: string): Promise<void> {
    const out = createWriteStream(path, { mode: 0o600 });
    let chunks = 0;
    try {
      for await (const part of this.chunks(item)) {
        chunks++;
        if (!out.write(part)) await once(out, 'drain');
      }
      if (chunks === 0) throw new JobInputMissingError();
    } finally {
      out.end();
      await once(out, 'close');
    }
  }

  private async *chunks(item: ItemRef): AsyncGenerator<Buffer> {
    for (let chunk = 0; ; chunk++) {
      const rows = await this.prisma.$queryRaw<Array<{ data: Uint8Array }>>(Prisma.sql`
        SELECT data FROM job_inputs WHERE job_id = ${item.jobId}::uuid AND seq = ${item.seq} AND chunk = ${chunk}`);
      const row = rows[0];
      if (!row) return;
      yield Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength);
    }
  }
}
