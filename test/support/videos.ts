import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { locateFfmpeg } from '../../src/video/ffmpeg-binary.js';

const run = promisify(execFile);

/** The ffmpeg the service itself uses (from the npm package), or undefined on a platform without one. */
export const FFMPEG = (() => {
  const found = locateFfmpeg(undefined);
  return found.available ? found.path : undefined;
})();

export interface Segment {
  /** A still image shown for `seconds`. */
  image: Buffer;
  seconds: number;
}

export interface VideoOptions {
  container?: 'mp4' | 'webm' | 'mov';
  /** Frame size (the stills are scaled and padded into it). */
  width?: number;
  height?: number;
  fps?: number;
}

/**
 * A video made of still images shown one after the other, encoded with the npm-shipped ffmpeg
 * (H.264 in MP4/MOV, VP8 in WebM) — real video files, made in the test from its own photos.
 */
export async function makeVideo(segments: Segment[], options: VideoOptions = {}): Promise<Buffer> {
  if (!FFMPEG) throw new Error('no ffmpeg binary for this platform');
  const { container = 'mp4', width = 320, height = 240, fps = 10 } = options;
  const dir = await mkdtemp(path.join(tmpdir(), 'video-test-'));
  try {
    const inputs: string[] = [];
    const filters: string[] = [];
    for (const [i, segment] of segments.entries()) {
      const file = path.join(dir, `still-${i}.jpg`);
      await writeFile(file, segment.image);
      inputs.push('-loop', '1', '-framerate', String(fps), '-t', String(segment.seconds), '-i', file);
      filters.push(
        `[${i}:v]scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
          `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps}[v${i}]`,
      );
    }
    const concat = `${segments.map((_, i) => `[v${i}]`).join('')}concat=n=${segments.length}:v=1:a=0,format=yuv420p[out]`;
    const out = path.join(dir, `video.${container}`);
    const codec =
      container === 'webm'
        ? ['-c:v', 'libvpx', '-b:v', '1M', '-deadline', 'realtime']
        : ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18'];
    await run(FFMPEG, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      ...inputs,
      '-filter_complex',
      [...filters, concat].join(';'),
      '-map',
      '[out]',
      '-r',
      String(fps),
      ...codec,
      ...(container === 'webm' ? [] : ['-movflags', '+faststart']),
      out,
    ]);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A long, tiny, black video (cheap to make at a low frame rate): for the duration limit. */
export async function blackVideo(seconds: number, fps = 1): Promise<Buffer> {
  if (!FFMPEG) throw new Error('no ffmpeg binary for this platform');
  const dir = await mkdtemp(path.join(tmpdir(), 'video-test-'));
  try {
    const out = path.join(dir, 'black.mp4');
    await run(FFMPEG, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `color=c=black:s=64x64:r=${fps}:d=${seconds}`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      out,
    ]);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
