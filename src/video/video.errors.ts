import { DomainError } from '../common/domain-error.js';
import { PermanentError } from '../common/permanent-error.js';

/**
 * This installation cannot analyse videos: no ffmpeg binary for its platform (the npm package
 * ships Linux, macOS and Windows builds) and no FFMPEG_PATH. The service runs without it.
 */
export class VideoUnavailableError extends PermanentError {
  constructor(reason: string) {
    super(503, 503, `Video analysis is unavailable on this installation: ${reason}`);
  }
}

/** Not a video in an accepted container (MP4, MOV, WebM/Matroska), judged from its first bytes or by ffmpeg. */
export class UnsupportedVideoError extends DomainError {
  constructor(message = 'The upload is not a video in a supported format (MP4, MOV, WebM)') {
    super(415, 415, message);
  }
}

/** A video whose header ffmpeg cannot read, or that fails to decode: empty, truncated or corrupt. */
export class InvalidVideoError extends DomainError {
  constructor(message: string) {
    super(400, 400, message);
  }
}

/** Over VIDEO_MAX_BYTES, VIDEO_MAX_DURATION_SECONDS or VIDEO_MAX_PIXELS. */
export class VideoTooLargeError extends DomainError {
  constructor(message: string) {
    super(413, 413, message);
  }
}

/** The analysis ran past VIDEO_TIMEOUT_SECONDS; trying again would take as long. */
export class VideoTimeoutError extends PermanentError {
  constructor(seconds: number) {
    super(
      504,
      504,
      `The video analysis took longer than ${seconds} s (VIDEO_TIMEOUT_SECONDS) and was stopped`,
    );
  }
}
