import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import path from 'node:path';
import { NotFoundError } from '../common/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { consoleHeaders } from './console-headers.js';
import { isFile, resolveConsolePath } from './console-paths.js';

/**
 * Serves the built web console (console/ → `CONSOLE_DIR`). The build is looked for on every
 * request rather than at boot: an install without the dev dependencies has none, and a later
 * `npm run console:build` then works without a restart.
 */
@Injectable()
export class WebConsoleService {
  constructor(private readonly config: AppConfig) {}

  /** Whether /console has a console to serve; the service's root redirects there when it has. */
  get available(): boolean {
    return this.config.console.enabled && isFile(path.join(this.config.console.dir, 'index.html'));
  }

  /** Sends what `rest` (the URL path after /console) names, with the console's headers. */
  send(rest: string, res: Response): Promise<void> {
    if (!this.config.console.enabled) {
      throw new NotFoundError('The web console is turned off on this server (CONSOLE_ENABLED=false)');
    }
    if (!this.available) {
      throw new NotFoundError(
        'The web console is not built on this server: run `npm run console:build` (it needs the dev ' +
          'dependencies), then reload. The API and its documentation at /docs work without it.',
      );
    }
    const target = resolveConsolePath(this.config.console.dir, rest);
    if (target.kind === 'missing')
      throw new NotFoundError(`No such file in the web console: /console${rest}`);
    return new Promise((resolve, reject) => {
      res.sendFile(
        target.file,
        { headers: consoleHeaders(target.kind), cacheControl: false, dotfiles: 'allow' },
        (error?: Error & { code?: string; status?: number }) => {
          // A client that went away mid-file needs no answer.
          if (!error || res.headersSent || error.code === 'ECONNABORTED') return resolve();
          reject(
            error.status === 404
              ? new NotFoundError(`No such file in the web console: /console${rest}`)
              : error,
          );
        },
      );
    });
  }
}
