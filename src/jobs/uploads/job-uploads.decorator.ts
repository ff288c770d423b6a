import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  mixin,
  type NestInterceptor,
  type Type,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import { rm } from 'node:fs/promises';
import { finalize, type Observable } from 'rxjs';
import { AppConfig } from '../../config/app-config.js';
import type { StoredUpload } from '../job.types.js';
import { JobUploadStorage, UPLOAD_LIMITS, type UploadLimits } from './job-upload-storage.js';

const storage = new JobUploadStorage();

/** Most files and fields a job request may have at all (JOB_MAX_ITEMS is checked per request). */
const MAX_PARTS = 10_100;

function UploadLimitsInterceptor(kind: 'images' | 'video'): Type<NestInterceptor> {
  @Injectable()
  class Interceptor implements NestInterceptor {
    constructor(private readonly config: AppConfig) {}

    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
      const req = context.switchToHttp().getRequest<Record<symbol | string, unknown>>();
      const { jobs, video, images } = this.config;
      const limits: UploadLimits =
        kind === 'video'
          ? {
              maxFiles: 1,
              maxFileBytes: video.maxBytes,
              fileLimitName: 'VIDEO_MAX_BYTES',
              maxTotalBytes: jobs.maxBytes,
            }
          : {
              maxFiles: jobs.maxItems,
              maxFileBytes: images.maxBytes,
              fileLimitName: 'MAX_IMAGE_BYTES',
              maxTotalBytes: jobs.maxBytes,
            };
      req[UPLOAD_LIMITS] = limits;
      // Whatever the handler did with them (copied into the job, or refused), the files go.
      return next.handle().pipe(
        finalize(() => {
          const files = (req.files as StoredUpload[] | undefined) ?? [];
          for (const file of files) {
            // A file multer gave up on has no path; rm failing leaves a temp file, not an error.
            if (file.path) void rm(file.path, { force: true }).catch(() => undefined);
          }
        }),
      );
    }
  }
  return mixin(Interceptor);
}

/**
 * A multipart route taking the files of a job in `field` (streamed to temporary files with their
 * SHA-256, within the job limits) and the text fields of `body`, documented as such in OpenAPI.
 */
export function JobUploads(field: string, kind: 'images' | 'video', body: Type): MethodDecorator {
  return applyDecorators(
    UseInterceptors(
      UploadLimitsInterceptor(kind),
      FilesInterceptor(field, kind === 'video' ? 1 : undefined, {
        storage,
        // The storage engine enforces the size and count limits, with messages that name them.
        limits: {
          fileSize: Infinity,
          files: Infinity,
          fields: 10,
          fieldSize: 4 * 1024 * 1024,
          parts: MAX_PARTS,
        },
      }),
    ),
    ApiConsumes('multipart/form-data'),
    ApiBody({ type: body }),
  );
}
