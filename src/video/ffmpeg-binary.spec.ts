import { describe, expect, it } from 'vitest';
import { locateFfmpeg } from './ffmpeg-binary.js';

describe('locateFfmpeg', () => {
  it('finds the binary the npm package ships for this platform', () => {
    const found = locateFfmpeg(undefined);
    expect(found).toMatchObject({ available: true, source: 'npm' });
    if (found.available) expect(found.path).toMatch(/@ffmpeg-installer[\\/][a-z0-9]+-[a-z0-9]+[\\/]ffmpeg/);
  });

  it('says why, without throwing, on a platform without a package', () => {
    expect(locateFfmpeg(undefined, 'aix', 'ppc64', () => undefined)).toEqual({
      available: false,
      reason:
        'no ffmpeg binary for aix-ppc64 (npm package @ffmpeg-installer/aix-ppc64 is not installed); set FFMPEG_PATH',
    });
  });

  it('prefers FFMPEG_PATH, and refuses a path that is not executable', () => {
    expect(locateFfmpeg('ffmpeg')).toEqual({ available: true, path: 'ffmpeg', source: 'FFMPEG_PATH' });
    expect(locateFfmpeg('/nonexistent/ffmpeg')).toEqual({
      available: false,
      reason: 'FFMPEG_PATH /nonexistent/ffmpeg is not an executable file',
    });
  });
});
