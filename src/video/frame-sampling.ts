import type { VideoProbe } from './video-probe.js';

export interface SamplingLimits {
  /** Frames per second to analyse. */
  fps: number;
  /** Longer side of a decoded frame; larger videos are scaled down (never up). */
  maxFrameSide: number;
  /** Decoding stops here whatever the header claimed. */
  maxDurationSeconds: number;
}

/** How a video is decoded: which frames, at what size, and how many bytes each takes. */
export interface SamplePlan {
  fps: number;
  /** Size of the decoded (rotated, scaled) RGB frames. */
  width: number;
  height: number;
  frameBytes: number;
  maxDurationSeconds: number;
  /** Frames the header's duration implies; null when it gives none. */
  expectedFrames: number | null;
}

/**
 * The sampling plan of a probed video. The frame size is fixed here, and ffmpeg is told to scale
 * to exactly that size, so that every frame read from its output has the same known length.
 */
export function planSampling(probe: VideoProbe, limits: SamplingLimits): SamplePlan {
  const quarterTurn = probe.rotation === 90 || probe.rotation === 270;
  const displayWidth = quarterTurn ? probe.height : probe.width;
  const displayHeight = quarterTurn ? probe.width : probe.height;
  const scale = Math.min(1, limits.maxFrameSide / Math.max(displayWidth, displayHeight));
  const width = Math.max(2, Math.round(displayWidth * scale));
  const height = Math.max(2, Math.round(displayHeight * scale));
  const duration =
    probe.durationSeconds === null ? null : Math.min(probe.durationSeconds, limits.maxDurationSeconds);
  return {
    fps: limits.fps,
    width,
    height,
    frameBytes: width * height * 3,
    maxDurationSeconds: limits.maxDurationSeconds,
    expectedFrames: duration === null ? null : Math.max(1, Math.ceil(duration * limits.fps)),
  };
}

/** When the n-th sampled frame was shown (ffmpeg's fps filter emits frame n at n / fps). */
export function frameTime(index: number, fps: number): number {
  return Math.round((index / fps) * 1000) / 1000;
}

/**
 * ffmpeg's arguments to decode `file` into raw RGB frames on stdout: the demuxer is forced, only
 * local files may be opened, audio and subtitles are skipped, and decoding stops at the duration
 * limit. ffmpeg rotates by the stream's rotation itself (autorotate is on by default).
 */
export function decodeArguments(file: string, container: string, plan: SamplePlan): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-protocol_whitelist',
    'file',
    '-f',
    container,
    '-i',
    file,
    '-t',
    String(plan.maxDurationSeconds),
    '-an',
    '-sn',
    '-dn',
    '-vf',
    `fps=${plan.fps},scale=${plan.width}:${plan.height}:flags=bilinear`,
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    'pipe:1',
  ];
}
