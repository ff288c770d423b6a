import { Module } from '@nestjs/common';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { FaceEmbeddingsRepository } from './face-embeddings.repository.js';
import { FaceIndexRepository } from './face-index.repository.js';
import { GalleryModels } from './gallery-models.service.js';
import { GalleryStateRepository } from './gallery-state.repository.js';
import { ModelsController } from './models.controller.js';
import { ReembedController } from './reembed/reembed.controller.js';
import { ReembedRepository } from './reembed/reembed.repository.js';
import { ReembedService } from './reembed/reembed.service.js';

/**
 * The stored vectors and the profile that serves them: which embedding space recognition
 * searches, the per-space HNSW indexes, and moving the gallery to another profile.
 */
@Module({
  imports: [PipelineModule],
  controllers: [ModelsController, ReembedController],
  providers: [
    GalleryModels,
    GalleryStateRepository,
    FaceIndexRepository,
    FaceEmbeddingsRepository,
    ReembedRepository,
    ReembedService,
  ],
  exports: [GalleryModels, GalleryStateRepository, FaceEmbeddingsRepository, ReembedService, PipelineModule],
})
export class GalleryModule {}
