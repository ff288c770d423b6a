import { DomainError } from '../common/domain-error.js';

/** The upload is larger than `MAX_IMAGE_BYTES`, or its header declares more than `MAX_IMAGE_PIXELS`. */
export class ImageTooLargeError extends DomainError {
  constructor(message: string) {
    super(413, 413, message);
  }
}

/** The bytes are not in an image format the service accepts (SVG, PDF, text, unknown). */
export class UnsupportedImageError extends DomainError {
  constructor(message: string) {
    super(415, 415, message);
  }
}

/** The bytes claim to be a supported image but cannot be decoded: empty, truncated or corrupt. */
export class InvalidImageError extends DomainError {
  constructor(message: string) {
    super(400, 400, message);
  }
}

/** Error code 601 is part of the public API contract; clients match on it. */
export class NoFaceDetectedError extends DomainError {
  constructor() {
    super(400, 601, 'Face not detected in the image');
  }
}

/** The models are not loaded, a worker crashed mid-task, or the inference queue is full. */
export class ModelUnavailableError extends DomainError {
  constructor(message: string) {
    super(503, 503, message);
  }
}
