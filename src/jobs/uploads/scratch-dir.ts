import { mkdir } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

let root: Promise<string> | undefined;

/**
 * A private (0700) folder for uploads on their way into the database and for videos being
 * decoded. Files there are temporary: each is removed when its request or job item is done.
 */
export function scratchRoot(): Promise<string> {
  root ??= (async () => {
    const dir = path.join(tmpdir(), `face-recognition-${userInfo().uid}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  })();
  return root;
}
