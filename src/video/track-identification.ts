import { Injectable } from '@nestjs/common';
import { FaceCacheService } from '../cache-cleanup/face-cache.service.js';
import { AppConfig } from '../config/app-config.js';
import { BoxDto, FaceQualityDto, round } from '../faces/dto/face.dto.js';
import { GalleryModels } from '../gallery/gallery-models.service.js';
import { UserInfoDto } from '../matching/dto/user-info.dto.js';
import { MatchPolicy } from '../matching/match-policy.js';
import { MatchingRepository } from '../matching/matching.repository.js';
import type { VideoSessionDto } from './dto/video-analysis.dto.js';
import { dot, normalised, type Track } from './face-tracker.js';
import type { VideoFace } from './video-analysis.service.js';

/**
 * Names the tracks of a video: each track's best face goes through the same 1:N rule as
 * recognise_user. An unidentified track's best face is cached under a `req_id`, so that the person
 * can be enrolled later without the video; unidentified tracks whose mean faces are within the
 * 1:1 threshold of each other share an `unknown_id` (the same stranger seen twice).
 */
@Injectable()
export class TrackIdentifier {
  constructor(
    private readonly repository: MatchingRepository,
    private readonly policy: MatchPolicy,
    private readonly gallery: GalleryModels,
    private readonly cache: FaceCacheService,
    private readonly config: AppConfig,
  ) {}

  async sessions(tracks: Array<Track<VideoFace>>, sha256: string): Promise<VideoSessionDto[]> {
    const space = this.gallery.serving().embedder.space;
    const sessions: VideoSessionDto[] = [];
    const unknown: Array<{ session: VideoSessionDto; mean: Float32Array }> = [];
    for (const track of tracks) {
      const best = track.best;
      const nearest = await this.repository.findNearestUsers({
        embedding: best.embedding,
        space,
        topK: this.config.matching.topK,
        maxDistance: this.policy.searchRadius,
        limit: 2,
      });
      const { match, ambiguous } = this.policy.decide(nearest);
      const session: VideoSessionDto = {
        track_id: track.id,
        result: match ? 'identified' : ambiguous ? 'ambiguous' : 'unknown',
        user_info: match ? UserInfoDto.from({ ...match, id: match.userId }) : null,
        unknown_id: null,
        req_id: null,
        expires_at: null,
        first_seen_s: track.firstSeen,
        last_seen_s: track.lastSeen,
        frames: track.frames,
        confidence: match ? round(1 - match.distance, 4) : null,
        distance: match ? round(match.distance, 4) : null,
        best_frame: {
          time_s: track.bestTime,
          box: BoxDto.from(best.box),
          quality: FaceQualityDto.from(best.face.quality),
          crop_jpeg_base64: best.crop ? Buffer.from(best.crop.jpeg).toString('base64') : null,
        },
      };
      if (!match) {
        const { reqId, expiresAt } = await this.cache.put({
          embedding: best.embedding,
          model: space.key,
          detectionScore: best.face.score,
          box: best.box,
          imageSha256: sha256,
          crop: best.crop?.jpeg ?? null,
          metadata: { ...FaceQualityDto.from(best.face.quality), source: 'video', time_s: track.bestTime },
        });
        session.req_id = reqId;
        session.expires_at = expiresAt.toISOString();
        unknown.push({ session, mean: normalised(track.sum) });
      }
      sessions.push(session);
    }
    this.labelStrangers(unknown);
    return sessions;
  }

  /** Gives unidentified sessions of one face the same label (greedy: the first close label wins). */
  private labelStrangers(unknown: Array<{ session: VideoSessionDto; mean: Float32Array }>): void {
    const labels: Array<{ id: string; mean: Float32Array }> = [];
    for (const { session, mean } of unknown) {
      const same = labels.find((label) => 1 - dot(label.mean, mean) <= this.policy.verifyThreshold);
      const label = same ?? { id: `unknown-${labels.length + 1}`, mean };
      if (!same) labels.push(label);
      session.unknown_id = label.id;
    }
  }
}
