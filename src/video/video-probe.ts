import type { VideoContainer } from './video-signature.js';

/** What ffmpeg reports about a video before anything is decoded. */
export interface VideoProbe {
  container: VideoContainer;
  codec: string;
  /** Coded size of the first video stream, before rotation. */
  width: number;
  height: number;
  /** Clockwise rotation to apply for display (0, 90, 180, 270). */
  rotation: number;
  /** From the container header; null when the header does not say (some WebM files). */
  durationSeconds: number | null;
  fps: number | null;
}

/**
 * Reads ffmpeg's description of an input (what `ffmpeg -i file` prints on stderr): the duration
 * line and the first video stream. ffmpeg has had this layout for over a decade and the binary is
 * pinned by the npm package, so parsing it avoids shipping ffprobe as well (a second 80 MB binary,
 * whose npm package needs an install script to become executable). Returns null without a video
 * stream.
 */
export function parseFfmpegInfo(stderr: string, container: VideoContainer): VideoProbe | null {
  const stream = /^\s*Stream #0:\d+.*?: Video: (.*)$/m.exec(stderr);
  if (!stream) return null;
  const description = stream[1]!;
  const codec = /^([A-Za-z0-9_-]+)/.exec(description)?.[1] ?? 'unknown';
  // ", 320x240" — the comma keeps "(avc1 / 0x31637661)" from reading as a size.
  const size = /, (\d{1,6})x(\d{1,6})(?=[ ,[]|$)/.exec(description);
  if (!size) return null;
  const fps = /, ([\d.]+)(k?) fps/.exec(description) ?? /, ([\d.]+)(k?) tbr/.exec(description);
  return {
    container,
    codec,
    width: Number(size[1]),
    height: Number(size[2]),
    rotation: rotationOf(stderr),
    durationSeconds: durationOf(stderr),
    fps: fps ? Number(fps[1]) * (fps[2] ? 1000 : 1) : null,
  };
}

function durationOf(stderr: string): number | null {
  const match = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  if (!match) return null;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

/** From the stream's `rotate` tag (older muxers) or its display matrix (counter-clockwise there). */
function rotationOf(stderr: string): number {
  const tag = /^\s*rotate\s*:\s*(-?\d+)/m.exec(stderr);
  const matrix = /displaymatrix: rotation of (-?[\d.]+) degrees/.exec(stderr);
  const degrees = tag ? Number(tag[1]) : matrix ? -Number(matrix[1]) : 0;
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

/** The last line of ffmpeg's output that names a problem, for error messages. */
export function ffmpegProblem(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^At least one output file must be specified/.test(line));
  const last = lines.at(-1) ?? 'no output';
  // The input's own path means nothing to the client.
  return last.replace(/^.*?: (?=[A-Z])/, '').slice(0, 200);
}
