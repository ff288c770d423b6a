import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { redactSecrets } from './redact.js';
import { currentRequestId } from './request-context.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export type LogFormat = 'text' | 'json';

/**
 * Nest's console logger, in every line: the current request's id, and secrets (API keys) masked.
 * `json` writes one JSON object per line (`requestId` as a field) for log collectors; `text` is for
 * people, coloured only when the output is a terminal.
 */
export class AppLogger extends ConsoleLogger {
  constructor(level: string, format: LogFormat = 'text') {
    const upTo = LEVELS.indexOf(level as LogLevel);
    const json = format === 'json';
    super({
      logLevels: LEVELS.slice(0, upTo < 0 ? 4 : upTo + 1),
      json,
      timestamp: !json,
      colors: !json && process.stdout.isTTY === true,
    });
  }

  protected override formatContext(context: string): string {
    const requestId = currentRequestId();
    const base = super.formatContext(context);
    return requestId ? `${base}[req ${requestId}] ` : base;
  }

  protected override stringifyMessage(message: unknown, logLevel: LogLevel): string {
    return redactSecrets(super.stringifyMessage(message, logLevel));
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const entry = super.getJsonLogObject(
      typeof message === 'string' ? redactSecrets(message) : message,
      options,
    );
    const requestId = currentRequestId();
    if (requestId) entry.requestId = requestId;
    if (typeof entry.stack === 'string') entry.stack = redactSecrets(entry.stack);
    return entry;
  }

  protected override printStackTrace(stack: string): void {
    super.printStackTrace(redactSecrets(stack));
  }
}
