import { Module } from '@nestjs/common';
import { GalleryModule } from '../gallery/gallery.module.js';
import { EncodingsController } from './encodings.controller.js';
import { EncodingsRepository } from './encodings.repository.js';
import { EncodingsService } from './encodings.service.js';

/** Face encodings kept by file hash (seed 002's idempotent encode). */
@Module({
  imports: [GalleryModule],
  controllers: [EncodingsController],
  providers: [EncodingsRepository, EncodingsService],
  exports: [EncodingsService, EncodingsRepository],
})
export class EncodingsModule {}
