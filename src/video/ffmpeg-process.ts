import { spawn } from 'node:child_process';
import { VideoUnavailableError } from './video.errors.js';

/** Most of ffmpeg's stderr kept for error messages; older output is dropped. */
const STDERR_KEEP = 16 * 1024;

export interface FfmpegRun {
  /** Raw frames, each exactly `frameBytes` long, as ffmpeg writes them; ends with the output. */
  frames: AsyncGenerator<Uint8Array>;
}

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs ffmpeg and reads its stdout as fixed-size frames. Memory stays bounded whatever the
 * video's length: the pipe applies backpressure (ffmpeg waits while a frame is being analysed),
 * and a frame is only held until the consumer asks for the next. The process is killed with
 * SIGKILL when `signal` aborts (cancel, timeout, shutdown) or the consumer stops early; `exit`
 * then settles once it is gone.
 */
export function runFfmpeg(
  binary: string,
  args: string[],
  frameBytes: number,
  signal: AbortSignal,
): { frames: AsyncGenerator<Uint8Array>; exit: Promise<FfmpegExit> } {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_KEEP);
  });
  const kill = () => child.kill('SIGKILL');
  signal.addEventListener('abort', kill, { once: true });
  const exit = new Promise<FfmpegExit>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new VideoUnavailableError(`ffmpeg could not be started (${error.code ?? error.message})`)),
    );
    child.once('close', (code, sig) => {
      signal.removeEventListener('abort', kill);
      resolve({ code, signal: sig, stderr });
    });
  });
  // A failed spawn also ends stdout; the rejection is what the caller awaits.
  exit.catch(() => undefined);

  async function* frames(): AsyncGenerator<Uint8Array> {
    let frame = new Uint8Array(frameBytes);
    let filled = 0;
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        let offset = 0;
        while (offset < chunk.length) {
          const n = Math.min(frameBytes - filled, chunk.length - offset);
          frame.set(chunk.subarray(offset, offset + n), filled);
          filled += n;
          offset += n;
          if (filled === frameBytes) {
            yield frame;
            // A fresh buffer: the consumer may still be analysing the previous frame.
            frame = new Uint8Array(frameBytes);
            filled = 0;
          }
        }
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) kill();
    }
  }
  return { frames: frames(), exit };
}

/** Runs ffmpeg to completion with no output wanted (the probe), killed after `timeoutMs`. */
export async function runFfmpegToEnd(binary: string, args: string[], timeoutMs: number): Promise<FfmpegExit> {
  const { frames, exit } = runFfmpeg(binary, args, 1, AbortSignal.timeout(timeoutMs));
  for await (const _ of frames) {
    // The probe writes nothing to stdout; drain whatever comes.
  }
  return exit;
}
