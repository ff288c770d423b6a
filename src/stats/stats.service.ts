import { Injectable } from '@nestjs/common';
import { FaceCacheService } from '../cache-cleanup/face-cache.service.js';
import { GalleryModels } from '../gallery/gallery-models.service.js';
import { StatsCounters } from '../matching/stats-counters.repository.js';
import type { StatsDto } from './stats.dto.js';
import { StatsRepository } from './stats.repository.js';

@Injectable()
export class StatsService {
  constructor(
    private readonly repository: StatsRepository,
    private readonly counters: StatsCounters,
    private readonly cache: FaceCacheService,
    private readonly gallery: GalleryModels,
  ) {}

  async get(): Promise<StatsDto> {
    const { space } = this.gallery.serving().embedder;
    const [counts, cached, recognitions, mean] = await Promise.all([
      this.repository.counts(),
      this.cache.countLive(),
      this.counters.get('recognitions'),
      this.repository.meanEmbedding(space.key),
    ]);
    return {
      ...counts,
      cached_faces: cached,
      recognitions,
      model: space.key,
      dimension: space.dimension,
      mean_embedding: mean ? Array.from(mean, (v) => Math.round(v * 1e6) / 1e6) : null,
    };
  }
}
