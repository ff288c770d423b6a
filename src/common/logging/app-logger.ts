import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { currentRequestId } from './request-context.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's console logger with the current request id, when there is one, in every line. */
export class AppLogger extends ConsoleLogger {
  constructor(level: string, json = false) {
    const upTo = LEVELS.indexOf(level as LogLevel);
    super({ logLevels: LEVELS.slice(0, upTo < 0 ? 4 : upTo + 1), json, timestamp: !json });
  }

  protected override formatContext(context: string): string {
    const requestId = currentRequestId();
    const base = super.formatContext(context);
    return requestId ? `${base}[req ${requestId}] ` : base;
  }
}
