import { BoxDto, FaceQualityDto } from '../faces/dto/face.dto.js';
import type { AssessedFace } from '../face/face.types.js';
import { largestFace } from '../pipeline/face-analysis.service.js';
import type { FaceMetadataDto } from './dto/recognise-response.dto.js';

export interface SelectedFace<T extends AssessedFace> {
  face: T;
  metadata: FaceMetadataDto;
}

/**
 * The face an endpoint works on when an image holds several: the largest box. No face at all
 * is the documented 601 error.
 */
export function selectLargestFace<T extends AssessedFace>(faces: T[]): SelectedFace<T> {
  const face = largestFace(faces);
  return {
    face,
    metadata: {
      ...FaceQualityDto.from(face.quality),
      box: BoxDto.from(face.box),
      faces_detected: faces.length,
      face_selection: 'largest',
    },
  };
}
