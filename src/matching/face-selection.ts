import { BoxDto, FaceQualityDto } from '../faces/dto/face.dto.js';
import type { AssessedFace, ImageInfo } from '../face/face.types.js';
import { mainFace } from '../pipeline/face-analysis.service.js';
import type { FaceMetadataDto } from './dto/recognise-response.dto.js';

export interface SelectedFace<T extends AssessedFace> {
  face: T;
  metadata: FaceMetadataDto;
}

/**
 * The face an endpoint works on when an image holds several: the main face (the most prominent:
 * large and near the centre). No face at all is the documented 601 error.
 */
export function selectMainFace<T extends AssessedFace>(analysed: {
  image: ImageInfo;
  faces: T[];
}): SelectedFace<T> {
  const { faces } = analysed;
  const face = mainFace(faces, analysed.image);
  return {
    face,
    metadata: {
      ...FaceQualityDto.from(face.quality),
      box: BoxDto.from(face.box),
      faces_detected: faces.length,
      face_selection: 'main',
    },
  };
}
