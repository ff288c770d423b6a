import { Injectable } from '@nestjs/common';
import { EncodingsService } from '../../encodings/encodings.service.js';
import { GalleryModels } from '../../gallery/gallery-models.service.js';
import { MatchingService } from '../../matching/matching.service.js';
import { FaceAnalysisService } from '../../pipeline/face-analysis.service.js';
import { JobItemProcessor, type ItemContext } from './job-processor.js';

/**
 * Batch recognition: each photo gets what `POST /api/v1/recognise_user` answers (a match, or no
 * match with a `req_id`), and its encodings are kept by file hash (GET /api/v1/encodings/{sha256}).
 */
@Injectable()
export class RecognitionProcessor extends JobItemProcessor {
  readonly kind = 'recognition';

  constructor(
    private readonly analysis: FaceAnalysisService,
    private readonly gallery: GalleryModels,
    private readonly matching: MatchingService,
    private readonly encodings: EncodingsService,
  ) {
    super();
  }

  async process(context: ItemContext): Promise<unknown> {
    const models = this.gallery.serving();
    const analysed = await this.analysis.analyze(await context.readInput(), models, { crops: true });
    await this.encodings.record(analysed, models);
    return this.matching.recogniseAnalysed(analysed, models);
  }
}
