import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { NotFoundError } from '../common/domain-error.js';
import type { ProfileModels } from '../face/face.ports.js';
import { DetectedFaceDto } from '../faces/dto/face.dto.js';
import { GalleryModels } from '../gallery/gallery-models.service.js';
import type { FaceAnalysisResult } from '../pipeline/face-analysis.service.js';
import { FaceAnalysisService } from '../pipeline/face-analysis.service.js';
import type { EncodingDto } from './dto/encoding.dto.js';
import { EncodingsRepository, type StoredEncoding } from './encodings.repository.js';

type StoredResult = Omit<EncodingDto, 'cached' | 'created_at'>;

/**
 * Face encodings by file hash: a file's faces and vectors are computed once per embedding space
 * and kept under the file's SHA-256, so the same file posted again — or looked up by its hash — is
 * answered without running the models. Batch recognition jobs record what they compute here too.
 */
@Injectable()
export class EncodingsService {
  constructor(
    private readonly repository: EncodingsRepository,
    private readonly analysis: FaceAnalysisService,
    private readonly gallery: GalleryModels,
  ) {}

  /** The encodings of an upload: stored ones when the file was seen before, else computed and stored. */
  async encode(bytes: Uint8Array): Promise<EncodingDto> {
    const models = this.gallery.serving();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const stored = await this.repository.find(sha256, models.embedder.space.key);
    if (stored) return toDto(stored, true);
    const analysed = await this.analysis.analyze(bytes, models);
    return toDto(await this.record(analysed, models), false);
  }

  /** Stored encodings by hash, in `model` (default: the serving space); 404 when there are none. */
  async get(sha256: string, model?: string): Promise<EncodingDto> {
    const space = model ?? this.gallery.serving().embedder.space.key;
    const stored = await this.repository.find(sha256.toLowerCase(), space);
    if (!stored) throw new NotFoundError(`No encodings stored for file ${sha256} in ${space}`);
    return toDto(stored, true);
  }

  /** Keeps what the pipeline computed for a file (also called by batch recognition). */
  record(analysed: FaceAnalysisResult, models: ProfileModels): Promise<StoredEncoding> {
    const { sha256, width, height, format } = analysed.image;
    const result: StoredResult = {
      sha256,
      model: models.embedder.space.key,
      dimension: models.embedder.space.dimension,
      image: { sha256, width, height, format },
      faces: analysed.faces.map((face) => ({
        ...DetectedFaceDto.from(face),
        embedding: Array.from(face.embedding),
      })),
    };
    return this.repository.save(sha256, result.model, result as unknown as Record<string, unknown>);
  }
}

function toDto(stored: StoredEncoding, cached: boolean): EncodingDto {
  return {
    ...(stored.result as unknown as StoredResult),
    cached,
    created_at: stored.createdAt.toISOString(),
  };
}
