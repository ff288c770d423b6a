import { Global, Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { BadRequestError } from './domain-error.js';
import { AppConfig } from '../config/app-config.js';

/**
 * Multer limits for every upload route, from the configuration: files are held in memory (they
 * are decoded at once and never stored), one file per field, and anything larger than
 * MAX_IMAGE_BYTES is cut off by Multer with a 413 before it is fully read.
 */
@Global()
@Module({
  imports: [
    MulterModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        limits: { fileSize: config.images.maxBytes, files: 2, fields: 20, fieldSize: 64 * 1024, parts: 30 },
      }),
    }),
  ],
  exports: [MulterModule],
})
export class UploadsModule {}

/** The part of Multer's file object the service uses (in-memory storage). */
export interface UploadedImage {
  buffer: Buffer;
  originalname: string;
  mimetype: string;
  size: number;
}

/** The bytes of a required image field, or a 400 naming the field. */
export function requireImage(file: UploadedImage | undefined, field = 'image'): Uint8Array {
  if (!file) throw new BadRequestError(`Missing image: send it as the multipart/form-data field '${field}'`);
  return file.buffer;
}
