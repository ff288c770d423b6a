import { Injectable } from '@nestjs/common';
import { open } from 'node:fs/promises';
import { AppConfig } from '../config/app-config.js';
import { FfmpegBinary } from './ffmpeg-binary.js';
import { runFfmpegToEnd } from './ffmpeg-process.js';
import { ffmpegProblem, parseFfmpegInfo, type VideoProbe } from './video-probe.js';
import { videoSignature } from './video-signature.js';
import { InvalidVideoError, UnsupportedVideoError, VideoTooLargeError } from './video.errors.js';

/** A probe that has not answered by then is stopped: reading a header takes milliseconds. */
const PROBE_TIMEOUT_MS = 15_000;

/**
 * Decides whether a video file is one the service will analyse, before anything is decoded: the
 * container from its first bytes, then ffmpeg's reading of its header — which must show a video
 * stream within VIDEO_MAX_PIXELS and VIDEO_MAX_DURATION_SECONDS. A 10-hour or 16K video is
 * refused here, in milliseconds; an unreadable one is a 400, a non-video a 415.
 */
@Injectable()
export class VideoInspector {
  constructor(
    private readonly ffmpeg: FfmpegBinary,
    private readonly config: AppConfig,
  ) {}

  async inspect(file: string): Promise<VideoProbe> {
    const head = await readHead(file);
    if (head.length === 0) throw new InvalidVideoError('The uploaded video is empty');
    const container = videoSignature(head);
    if (!container) throw new UnsupportedVideoError();
    const binary = this.ffmpeg.path();
    const exit = await runFfmpegToEnd(
      binary,
      ['-hide_banner', '-nostdin', '-protocol_whitelist', 'file', '-f', container, '-i', file],
      PROBE_TIMEOUT_MS,
    );
    const probe = parseFfmpegInfo(exit.stderr, container);
    if (!probe) {
      if (/Stream #0/.test(exit.stderr)) throw new UnsupportedVideoError('The file holds no video stream');
      throw new InvalidVideoError(`The video could not be read (${ffmpegProblem(exit.stderr)})`);
    }
    this.checkLimits(probe);
    return probe;
  }

  private checkLimits(probe: VideoProbe): void {
    const { maxPixels, maxDurationSeconds } = this.config.video;
    if (probe.width * probe.height > maxPixels) {
      throw new VideoTooLargeError(
        `The video is ${probe.width}×${probe.height} pixels; the limit is ${maxPixels} pixels (VIDEO_MAX_PIXELS)`,
      );
    }
    if (probe.durationSeconds !== null && probe.durationSeconds > maxDurationSeconds) {
      throw new VideoTooLargeError(
        `The video lasts ${Math.round(probe.durationSeconds)} s; the limit is ${maxDurationSeconds} s (VIDEO_MAX_DURATION_SECONDS)`,
      );
    }
  }
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
