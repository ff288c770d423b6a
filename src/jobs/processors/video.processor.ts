import { Injectable } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { VideoAnalysisService } from '../../video/video-analysis.service.js';
import { scratchRoot } from '../uploads/scratch-dir.js';
import { JobItemProcessor, type ItemContext } from './job-processor.js';

/** Video analysis: the stored video is written to a private temporary file for ffmpeg to read. */
@Injectable()
export class VideoProcessor extends JobItemProcessor {
  readonly kind = 'video';

  constructor(private readonly video: VideoAnalysisService) {
    super();
  }

  async process(context: ItemContext): Promise<unknown> {
    const dir = await mkdtemp(path.join(await scratchRoot(), 'video-'));
    try {
      const file = path.join(dir, 'input');
      await context.writeInputTo(file);
      const sampleFps = context.item.options.sample_fps;
      return await this.video.analyse(
        file,
        { sha256: context.item.sha256, ...(typeof sampleFps === 'number' && { sampleFps }) },
        context.signal,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
