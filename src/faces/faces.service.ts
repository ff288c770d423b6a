import { Injectable } from '@nestjs/common';
import { GalleryModels } from '../gallery/gallery-models.service.js';
import { FaceAnalysisService } from '../pipeline/face-analysis.service.js';
import { DetectedFaceDto } from './dto/face.dto.js';
import type { DetectFacesResponseDto, EmbedFacesResponseDto } from './dto/faces-response.dto.js';

/** Detection and embedding as a service to clients, with no matching or storage (the serving profile). */
@Injectable()
export class FacesService {
  constructor(
    private readonly analysis: FaceAnalysisService,
    private readonly gallery: GalleryModels,
  ) {}

  async detect(image: Uint8Array): Promise<DetectFacesResponseDto> {
    const result = await this.analysis.detect(image, this.gallery.serving());
    return { image: result.image, faces: result.faces.map(DetectedFaceDto.from) };
  }

  async embed(image: Uint8Array): Promise<EmbedFacesResponseDto> {
    const models = this.gallery.serving();
    const result = await this.analysis.analyze(image, models);
    const faces = result.faces.map((face) => ({
      ...DetectedFaceDto.from(face),
      embedding: Array.from(face.embedding),
    }));
    return {
      image: result.image,
      model: models.embedder.space.key,
      dimension: models.embedder.space.dimension,
      faces,
    };
  }
}
