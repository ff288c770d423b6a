import { describe, expect, it } from 'vitest';
import { decodeArguments, frameTime, planSampling } from './frame-sampling.js';
import type { VideoProbe } from './video-probe.js';

const probe: VideoProbe = {
  container: 'mov',
  codec: 'h264',
  width: 1920,
  height: 1080,
  rotation: 0,
  durationSeconds: 10,
  fps: 30,
};
const limits = { fps: 2, maxFrameSide: 1280, maxDurationSeconds: 600 };

describe('planSampling', () => {
  it('scales the longer side down to the limit and counts the frames to analyse', () => {
    expect(planSampling(probe, limits)).toEqual({
      fps: 2,
      width: 1280,
      height: 720,
      frameBytes: 1280 * 720 * 3,
      maxDurationSeconds: 600,
      expectedFrames: 20,
    });
  });

  it('never scales up, and swaps the sides of a video rotated a quarter turn', () => {
    const small = planSampling({ ...probe, width: 320, height: 240, rotation: 90 }, limits);
    expect([small.width, small.height]).toEqual([240, 320]);
  });

  it('caps the frames at the duration limit, and does without a duration', () => {
    expect(planSampling({ ...probe, durationSeconds: 36_000 }, limits).expectedFrames).toBe(1200);
    expect(planSampling({ ...probe, durationSeconds: null }, limits).expectedFrames).toBeNull();
  });
});

describe('frame times and ffmpeg arguments', () => {
  it('places the n-th sample at n / fps', () => {
    expect([0, 1, 2, 5].map((n) => frameTime(n, 2))).toEqual([0, 0.5, 1, 2.5]);
    expect(frameTime(1, 3)).toBe(0.333);
  });

  it('forces the demuxer, local files only, and an exact output size', () => {
    const args = decodeArguments('/tmp/in', 'matroska', planSampling(probe, limits));
    expect(args.join(' ')).toContain('-protocol_whitelist file -f matroska -i /tmp/in -t 600');
    expect(args.join(' ')).toContain(
      '-vf fps=2,scale=1280:720:flags=bilinear -pix_fmt rgb24 -f rawvideo pipe:1',
    );
  });
});
