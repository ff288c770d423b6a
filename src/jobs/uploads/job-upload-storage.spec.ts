import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { JobUploadStorage, UPLOAD_LIMITS, type UploadLimits } from './job-upload-storage.js';

const limits: UploadLimits = {
  maxFiles: 2,
  maxFileBytes: 100,
  fileLimitName: 'MAX_IMAGE_BYTES',
  maxTotalBytes: 150,
};

function request(): Request {
  return { [UPLOAD_LIMITS]: limits } as unknown as Request;
}

function store(storage: JobUploadStorage, req: Request, bytes: Buffer, name = 'a.jpg') {
  const file = { originalname: name, stream: Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]) };
  return new Promise<{ path: string; size: number; sha256: string }>((resolve, reject) =>
    storage._handleFile(req, file as unknown as Express.Multer.File, (error, info) =>
      error ? reject(error as Error) : resolve(info as { path: string; size: number; sha256: string }),
    ),
  );
}

describe('JobUploadStorage', () => {
  const storage = new JobUploadStorage();

  it('streams a file to a private temporary file with its SHA-256, and removes it on request', async () => {
    const bytes = Buffer.alloc(80, 7);
    const info = await store(storage, request(), bytes);
    expect(info.size).toBe(80);
    expect(info.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(readFileSync(info.path)).toEqual(bytes);
    await new Promise((resolve) =>
      storage._removeFile(request(), { path: info.path } as Express.Multer.File, resolve),
    );
    expect(existsSync(info.path)).toBe(false);
  });

  it('refuses a file over its limit, and files over the job total, with 413 naming the limit', async () => {
    await expect(store(storage, request(), Buffer.alloc(101), 'big.jpg')).rejects.toMatchObject({
      httpStatus: 413,
      message: 'big.jpg is larger than the limit of 100 bytes (MAX_IMAGE_BYTES)',
    });
    const req = request();
    await store(storage, req, Buffer.alloc(90));
    await expect(store(storage, req, Buffer.alloc(90))).rejects.toMatchObject({
      httpStatus: 413,
      message: expect.stringMatching(/150 bytes together \(JOB_MAX_BYTES\)/),
    });
  });

  it('refuses more files than a job takes', async () => {
    const req = request();
    await store(storage, req, Buffer.alloc(10));
    await store(storage, req, Buffer.alloc(10));
    await expect(store(storage, req, Buffer.alloc(10))).rejects.toMatchObject({
      httpStatus: 400,
      message: 'Too many files: a job takes at most 2 (JOB_MAX_ITEMS)',
    });
  });
});
