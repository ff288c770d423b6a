import { Module } from '@nestjs/common';
import { CacheCleanupModule } from '../cache-cleanup/cache-cleanup.module.js';
import { GalleryModule } from '../gallery/gallery.module.js';
import { MatchingModule } from '../matching/matching.module.js';
import { FfmpegBinary } from './ffmpeg-binary.js';
import { TrackIdentifier } from './track-identification.js';
import { VideoAnalysisService } from './video-analysis.service.js';
import { VideoInspector } from './video-inspector.js';

/** Video analysis with the npm-shipped ffmpeg; used by video jobs (src/jobs). */
@Module({
  imports: [GalleryModule, MatchingModule, CacheCleanupModule],
  providers: [FfmpegBinary, VideoInspector, VideoAnalysisService, TrackIdentifier],
  exports: [FfmpegBinary, VideoInspector, VideoAnalysisService],
})
export class VideoModule {}
