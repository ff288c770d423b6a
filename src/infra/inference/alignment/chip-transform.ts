import type { DetectedFace } from '../../../face/face.types.js';
import type { ChipSpec } from '../../../face/model-profile.js';
import { type Affine, similarityTransform } from './alignment.js';
import { dlibChipTransform } from './dlib-chip.js';

/**
 * The map from chip pixels to image pixels for one face, as the profile's chip says: the
 * least-squares similarity that takes the template's five points onto the detector's five
 * (pixel centres on integer coordinates on both sides, as OpenCV's `warpAffine`, with which the
 * ArcFace template is used), or dlib's 68-point chip.
 */
export function chipTransform(chip: ChipSpec, face: DetectedFace): Affine {
  if (chip.alignment === 'dlib-68') {
    if (face.landmarks.length !== 68) {
      throw new RangeError(
        `The profile's chip needs the 68 iBUG landmarks; its detector gave ${face.landmarks.length}`,
      );
    }
    return dlibChipTransform(face.landmarks, chip.size, chip.padding);
  }
  const template = chip.template.map(([x, y]) => ({ x, y }));
  return similarityTransform(template, face.landmarks5);
}
