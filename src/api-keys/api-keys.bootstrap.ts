import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ApiKeysService } from './api-keys.service.js';

/**
 * With an empty key table there would be no way in, so the first start creates one admin key and
 * prints it once. There is never a built-in default key. The banner goes straight to stderr, not
 * through the logger: whatever LOG_LEVEL and LOG_FORMAT say, the operator sees it (`docker compose
 * logs` shows stderr too), and it never becomes a line of the JSON log stream. Set
 * API_KEY_BOOTSTRAP=false to create the first key with `npm run apikey -- create` instead.
 */
@Injectable()
export class ApiKeysBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeys');

  constructor(
    private readonly config: AppConfig,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.apiKeys.bootstrap) return;
    const created = await this.apiKeys.createBootstrapKey();
    if (!created) return;
    process.stderr.write(`${bootstrapBanner(created.key, created.id)}\n\n`);
    this.logger.warn(`Created the bootstrap admin key ${created.prefix} (printed once on stderr)`);
  }
}

/** The one log message that contains a key: boxed, so it is not missed in the boot output. */
export function bootstrapBanner(key: string, id: string): string {
  const lines = [
    'No API keys existed, so an admin key was created. It is shown only this once:',
    '',
    `    ${key}`,
    '',
    'Use it to create scoped keys (POST /api/v1/api-keys), then revoke it:',
    `    DELETE /api/v1/api-keys/${id}`,
  ];
  const width = Math.max(...lines.map((line) => line.length));
  const border = '═'.repeat(width + 2);
  return ['', `╔${border}╗`, ...lines.map((line) => `║ ${line.padEnd(width)} ║`), `╚${border}╝`].join('\n');
}
