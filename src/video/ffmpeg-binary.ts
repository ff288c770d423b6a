import { Injectable, Logger } from '@nestjs/common';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppConfig } from '../config/app-config.js';
import { VideoUnavailableError } from './video.errors.js';

export type FfmpegLocation =
  { available: true; path: string; source: 'FFMPEG_PATH' | 'npm' } | { available: false; reason: string };

const require = createRequire(import.meta.url);

/** The package directory of an npm package, or undefined when it is not installed. */
function packageDir(name: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where ffmpeg is: `FFMPEG_PATH` when set, else the binary inside the @ffmpeg-installer package
 * for this platform (`@ffmpeg-installer/linux-x64` and the like, installed by npm as an optional
 * dependency: the binary ships in the npm tarball, nothing is downloaded). On a platform with no
 * such package the answer says why instead of throwing, so the service still starts.
 */
export function locateFfmpeg(
  configured: string | undefined,
  platform: string = process.platform,
  arch: string = process.arch,
  findPackage: (name: string) => string | undefined = packageDir,
): FfmpegLocation {
  if (configured) {
    // A bare command name is looked up on PATH when spawned; a path must be executable now.
    if (!configured.includes('/') && !configured.includes('\\')) {
      return { available: true, path: configured, source: 'FFMPEG_PATH' };
    }
    return isExecutable(configured)
      ? { available: true, path: configured, source: 'FFMPEG_PATH' }
      : { available: false, reason: `FFMPEG_PATH ${configured} is not an executable file` };
  }
  const name = `@ffmpeg-installer/${platform}-${arch}`;
  const dir = findPackage(name);
  if (!dir) {
    return {
      available: false,
      reason: `no ffmpeg binary for ${platform}-${arch} (npm package ${name} is not installed); set FFMPEG_PATH`,
    };
  }
  const binary = path.join(dir, platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg');
  if (!isExecutable(binary)) {
    return {
      available: false,
      reason: `${binary} is missing or not executable (chmod u+x it, or set FFMPEG_PATH)`,
    };
  }
  return { available: true, path: binary, source: 'npm' };
}

/** The ffmpeg this instance runs, located once; a missing binary is reported, never fatal. */
@Injectable()
export class FfmpegBinary {
  private readonly logger = new Logger(FfmpegBinary.name);
  readonly location: FfmpegLocation;

  constructor(config: AppConfig) {
    this.location = locateFfmpeg(config.video.ffmpegPath);
    if (!this.location.available) this.logger.warn(`Video analysis disabled: ${this.location.reason}`);
  }

  /** The executable, or VideoUnavailableError (503) saying why there is none. */
  path(): string {
    if (!this.location.available) throw new VideoUnavailableError(this.location.reason);
    return this.location.path;
  }
}
