import type { INestApplicationContext } from '@nestjs/common';
import type { AssessedFace } from '../../src/face/face.types.js';
import { GalleryModels } from '../../src/gallery/gallery-models.service.js';
import { FaceAnalysisService } from '../../src/pipeline/face-analysis.service.js';

/** The faces the running app's serving profile finds in an image (to crop test subjects from it). */
export async function detectFaces(app: INestApplicationContext, image: Uint8Array): Promise<AssessedFace[]> {
  const models = app.get(GalleryModels).serving();
  return (await app.get(FaceAnalysisService).detect(image, models)).faces;
}
