import { ApiProperty } from '@nestjs/swagger';
import type { AssessedFace, Box, FaceQuality, Point } from '../../face/face.types.js';

export class BoxDto {
  @ApiProperty({ description: 'Left edge in pixels of the (EXIF-rotated) image', example: 71 })
  x!: number;

  @ApiProperty({ description: 'Top edge in pixels', example: 64 })
  y!: number;

  @ApiProperty({ description: 'Width in pixels', example: 108 })
  width!: number;

  @ApiProperty({ description: 'Height in pixels', example: 131 })
  height!: number;

  static from(box: Box): BoxDto {
    return {
      x: round(box.x, 1),
      y: round(box.y, 1),
      width: round(box.width, 1),
      height: round(box.height, 1),
    };
  }
}

export class PointDto {
  @ApiProperty({ example: 102.4 })
  x!: number;

  @ApiProperty({ example: 118.9 })
  y!: number;

  static from(point: Point): PointDto {
    return { x: round(point.x, 1), y: round(point.y, 1) };
  }
}

/** Quality of one face: what clients use to decide whether to trust or enrol it. */
export class FaceQualityDto {
  @ApiProperty({ description: 'Detector confidence, 0–1', example: 0.998 })
  detection_confidence!: number;

  @ApiProperty({ description: 'Shorter side of the face box in pixels', example: 108 })
  face_size!: number;

  @ApiProperty({
    description: 'Variance of the Laplacian of the face scaled to 96×96 pixels; lower is blurrier',
    example: 412.7,
  })
  sharpness!: number;

  @ApiProperty({ description: 'Mean luma of the face, 0–255', example: 121.3 })
  brightness!: number;

  @ApiProperty({ description: 'Estimated head yaw in degrees (0 = frontal)', example: -4.2 })
  yaw!: number;

  @ApiProperty({ description: 'In-plane rotation of the eye line in degrees', example: 1.7 })
  roll!: number;

  static from(q: FaceQuality): FaceQualityDto {
    return {
      detection_confidence: round(q.detectionScore, 4),
      face_size: Math.round(q.faceSize),
      sharpness: round(q.sharpness, 1),
      brightness: round(q.brightness, 1),
      yaw: round(q.yaw, 1),
      roll: round(q.roll, 1),
    };
  }
}

export class DetectedFaceDto {
  @ApiProperty({ type: BoxDto })
  box!: BoxDto;

  @ApiProperty({ description: 'Detector confidence, 0–1', example: 0.998 })
  score!: number;

  @ApiProperty({
    type: [PointDto],
    description:
      'Five points: left eye, right eye, nose tip, left and right mouth corners (image left/right)',
  })
  landmarks5!: PointDto[];

  @ApiProperty({
    type: [PointDto],
    description:
      "The detector's own landmarks: the same five points for MTCNN profiles, the 68 iBUG points for the dlib profile",
  })
  landmarks!: PointDto[];

  @ApiProperty({ type: FaceQualityDto })
  quality!: FaceQualityDto;

  static from(face: AssessedFace): DetectedFaceDto {
    return {
      box: BoxDto.from(face.box),
      score: round(face.score, 4),
      landmarks5: face.landmarks5.map(PointDto.from),
      landmarks: face.landmarks.map(PointDto.from),
      quality: FaceQualityDto.from(face.quality),
    };
  }
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
