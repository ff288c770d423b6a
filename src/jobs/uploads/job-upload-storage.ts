import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { BadRequestError, DomainError } from '../../common/domain-error.js';
import type { StoredUpload } from '../job.types.js';
import { scratchRoot } from './scratch-dir.js';

/** The limits of one upload request, set on it by `UploadLimitsInterceptor` before multer runs. */
export interface UploadLimits {
  maxFiles: number;
  maxFileBytes: number;
  /** Names the per-file limit in the refusal (MAX_IMAGE_BYTES, VIDEO_MAX_BYTES). */
  fileLimitName: string;
  maxTotalBytes: number;
}

export const UPLOAD_LIMITS = Symbol('jobUploadLimits');

type LimitedRequest = Request & {
  [UPLOAD_LIMITS]?: UploadLimits;
  jobUploadState?: { files: number; bytes: number };
};

export class UploadTooLargeError extends DomainError {
  constructor(message: string) {
    super(413, 413, message);
  }
}

/**
 * A multer storage engine for job uploads: each file streams to a private temporary file while
 * its SHA-256 is computed, and the request is refused (413) as soon as a file passes its limit or
 * all files together pass the job's — before the rest is read, and without holding files in
 * memory. Multer removes what was stored when the request fails; the upload interceptor removes
 * the rest once the handler is done.
 */
export class JobUploadStorage implements StorageEngine {
  _handleFile(
    req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<Express.Multer.File & StoredUpload>) => void,
  ): void {
    void this.store(req as LimitedRequest, file).then(
      (info) => callback(null, info),
      (error: unknown) => callback(error),
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    void rm(file.path, { force: true }).then(
      () => callback(null),
      (error: Error) => callback(error),
    );
  }

  private async store(req: LimitedRequest, file: Express.Multer.File): Promise<Partial<StoredUpload>> {
    const limits = req[UPLOAD_LIMITS];
    if (!limits) throw new Error('JobUploadStorage needs UploadLimitsInterceptor before it');
    const state = (req.jobUploadState ??= { files: 0, bytes: 0 });
    if (++state.files > limits.maxFiles) {
      file.stream.resume();
      throw new BadRequestError(`Too many files: a job takes at most ${limits.maxFiles} (JOB_MAX_ITEMS)`);
    }
    const target = path.join(await scratchRoot(), `upload-${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        state.bytes += chunk.length;
        if (size > limits.maxFileBytes) {
          done(
            new UploadTooLargeError(
              `${file.originalname || 'A file'} is larger than the limit of ${limits.maxFileBytes} bytes (${limits.fileLimitName})`,
            ),
          );
        } else if (state.bytes > limits.maxTotalBytes) {
          done(
            new UploadTooLargeError(
              `The job's files are larger than the limit of ${limits.maxTotalBytes} bytes together (JOB_MAX_BYTES)`,
            ),
          );
        } else {
          hash.update(chunk);
          done(null, chunk);
        }
      },
    });
    try {
      await pipeline(file.stream, meter, createWriteStream(target, { mode: 0o600 }));
    } catch (error) {
      await rm(target, { force: true });
      throw error;
    }
    return { path: target, size, sha256: hash.digest('hex') };
  }
}
