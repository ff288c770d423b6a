import { describe, expect, it } from 'vitest';
import { ffmpegProblem, parseFfmpegInfo } from './video-probe.js';
import { videoSignature } from './video-signature.js';

const MP4 = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '/tmp/x/input':
  Metadata:
    major_brand     : isom
  Duration: 00:01:02.50, start: 0.000000, bitrate: 57 kb/s
    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1920x1080 [SAR 1:1 DAR 16:9], 54 kb/s, 29.97 fps, 29.97 tbr, 12800 tbn, 50 tbc (default)
    Metadata:
      handler_name    : VideoHandler
      rotate          : 90
    Stream #0:1(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 128 kb/s (default)
At least one output file must be specified`;

const WEBM = `Input #0, matroska,webm, from 'pipe:':
  Duration: N/A, start: 0.000000, bitrate: N/A
    Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv), 640x360, SAR 1:1 DAR 16:9, 1k tbr, 1k tbn, 1k tbc (default)`;

describe('parseFfmpegInfo', () => {
  it('reads codec, size, rotation, duration and rate of the first video stream', () => {
    expect(parseFfmpegInfo(MP4, 'mov')).toEqual({
      container: 'mov',
      codec: 'h264',
      width: 1920,
      height: 1080,
      rotation: 90,
      durationSeconds: 62.5,
      fps: 29.97,
    });
  });

  it('leaves an unknown duration null and reads a rate given as a tbr', () => {
    expect(parseFfmpegInfo(WEBM, 'matroska')).toMatchObject({
      codec: 'vp9',
      width: 640,
      height: 360,
      durationSeconds: null,
      fps: 1000,
      rotation: 0,
    });
  });

  it('turns a display matrix (counter-clockwise) into a clockwise rotation', () => {
    const rotated = MP4.replace('rotate          : 90', 'displaymatrix: rotation of -90.00 degrees');
    expect(parseFfmpegInfo(rotated, 'mov')?.rotation).toBe(90);
    expect(parseFfmpegInfo(MP4.replace(': 90', ': -90'), 'mov')?.rotation).toBe(270);
  });

  it('finds no video in audio-only files or in errors', () => {
    expect(parseFfmpegInfo(MP4.replace(/^.*Video:.*$/m, ''), 'mov')).toBeNull();
    expect(parseFfmpegInfo('/tmp/x/input: Invalid data found when processing input', 'mov')).toBeNull();
  });

  it('reports the last problem without the file path', () => {
    expect(
      ffmpegProblem(
        '[mov,mp4 @ 0x1] moov atom not found\n/tmp/x/input: Invalid data found when processing input\n',
      ),
    ).toBe('Invalid data found when processing input');
  });
});

describe('videoSignature', () => {
  const bytes = (head: string) => Uint8Array.from(Buffer.from(head.padEnd(16, '\u0000'), 'latin1'));

  it('recognises MP4/MOV boxes and the EBML header of WebM/Matroska', () => {
    expect(videoSignature(bytes('\u0000\u0000\u0000\u0020ftypisom'))).toBe('mov');
    expect(videoSignature(bytes('\u0000\u0000\u0000\u0008wide'))).toBe('mov');
    expect(videoSignature(Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 1, 0, 0, 0, 0, 0, 0, 0]))).toBe(
      'matroska',
    );
  });

  it('refuses images, text and AVIF stills', () => {
    expect(videoSignature(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
    expect(videoSignature(bytes('hello world, not a video'))).toBeUndefined();
    expect(videoSignature(bytes('\u0000\u0000\u0000\u0020ftypavif'))).toBeUndefined();
    expect(videoSignature(bytes('#EXTM3U'))).toBeUndefined();
  });
});
