import { Injectable } from '@nestjs/common';
import { FaceAnalysisService } from '../embedding/face-analysis.service.js';
import { DetectedFaceDto } from './dto/face.dto.js';
import type { DetectFacesResponseDto, EmbedFacesResponseDto } from './dto/faces-response.dto.js';

/** Detection and embedding as a service to clients, with no matching or storage. */
@Injectable()
export class FacesService {
  constructor(private readonly analysis: FaceAnalysisService) {}

  async detect(image: Uint8Array): Promise<DetectFacesResponseDto> {
    const result = await this.analysis.detect(image);
    return { image: result.image, faces: result.faces.map(DetectedFaceDto.from) };
  }

  async embed(image: Uint8Array): Promise<EmbedFacesResponseDto> {
    const result = await this.analysis.analyze(image);
    const faces = result.faces.map((face) => ({
      ...DetectedFaceDto.from(face),
      embedding: Array.from(face.embedding),
    }));
    return {
      image: result.image,
      model: this.analysis.modelId,
      dimension: faces[0]?.embedding.length ?? 0,
      faces,
    };
  }
}
