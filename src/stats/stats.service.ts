import { Injectable } from '@nestjs/common';
import { FaceCacheService } from '../cache-cleanup/face-cache.service.js';
import { FaceEmbedder } from '../face/face.ports.js';
import { StatsCounters } from '../matching/stats-counters.repository.js';
import type { StatsDto } from './stats.dto.js';
import { StatsRepository } from './stats.repository.js';

@Injectable()
export class StatsService {
  constructor(
    private readonly repository: StatsRepository,
    private readonly counters: StatsCounters,
    private readonly cache: FaceCacheService,
    private readonly embedder: FaceEmbedder,
  ) {}

  async get(): Promise<StatsDto> {
    const [counts, cached, recognitions, mean] = await Promise.all([
      this.repository.counts(),
      this.cache.countLive(),
      this.counters.get('recognitions'),
      this.repository.meanEmbedding(this.embedder.modelId),
    ]);
    return {
      ...counts,
      cached_faces: cached,
      recognitions,
      model: this.embedder.modelId,
      dimension: this.embedder.dimension,
      mean_embedding: mean ? Array.from(mean, (v) => Math.round(v * 1e6) / 1e6) : null,
    };
  }
}
