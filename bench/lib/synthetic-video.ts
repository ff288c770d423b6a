import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { locateFfmpeg } from '../../src/video/ffmpeg-binary.js';

const run = promisify(execFile);

export interface SyntheticVideo {
  bytes: Buffer;
  seconds: number;
  width: number;
  height: number;
  fps: number;
}

/**
 * An H.264 MP4 of still photos shown `segmentSeconds` each, in turn, for `seconds` in all, scaled
 * and padded into `width`×`height` at `fps` — encoded with the ffmpeg the service itself uses.
 */
export async function syntheticVideo(
  photos: Buffer[],
  options: { seconds: number; segmentSeconds: number; width: number; height: number; fps: number },
): Promise<SyntheticVideo> {
  const ffmpeg = locateFfmpeg(undefined);
  if (!ffmpeg.available) throw new Error(ffmpeg.reason);
  const { seconds, segmentSeconds, width, height, fps } = options;
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-video-'));
  try {
    const segments = Math.ceil(seconds / segmentSeconds);
    const lines: string[] = [];
    for (let i = 0; i < segments; i++) {
      const file = path.join(dir, `still-${i}.jpg`);
      await writeFile(file, photos[i % photos.length]!);
      lines.push(`file '${file}'`, `duration ${Math.min(segmentSeconds, seconds - i * segmentSeconds)}`);
    }
    // The concat demuxer wants the last file again to honour its duration.
    lines.push(lines.at(-2)!);
    await writeFile(path.join(dir, 'list.txt'), `${lines.join('\n')}\n`);
    const out = path.join(dir, 'video.mp4');
    await run(ffmpeg.path, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      path.join(dir, 'list.txt'),
      '-vf',
      `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps},format=yuv420p`,
      '-t',
      String(seconds),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-movflags',
      '+faststart',
      out,
    ]);
    return { bytes: await readFile(out), seconds, width, height, fps };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
