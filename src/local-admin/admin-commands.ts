import {
  API_KEY_CLI_USAGE,
  CliUsageError,
  type CliOutput,
  parseApiKeyCommand,
  runApiKeyCommand,
} from '../api-keys/api-keys.cli.js';
import type { ApiKeysService } from '../api-keys/api-keys.service.js';
import { DomainError } from '../common/domain-error.js';
import { parseReembedCommand, REEMBED_CLI_USAGE, runReembedCommand } from '../gallery/reembed/reembed.cli.js';
import type { ReembedService } from '../gallery/reembed/reembed.service.js';

export const ADMIN_TOOLS = ['apikey', 'reembed'] as const;
export type AdminTool = (typeof ADMIN_TOOLS)[number];

export const ADMIN_USAGE = `Usage: face-admin <tool> <command> [--json]   (npm run apikey -- … / npm run reembed -- …)

${API_KEY_CLI_USAGE}

${REEMBED_CLI_USAGE}`;

/** Where the commands get their services: opened by the CLI itself, or the running server's own. */
export interface AdminServices {
  apiKeys(): Promise<ApiKeysService>;
  reembed(): Promise<ReembedService>;
}

/**
 * Parses and runs one administrative command, wherever it runs: in the `face-admin` process or, over
 * the local admin socket, in the server. Returns the exit code: 0, 1 for a refusal the service
 * explains (a domain error), 2 for a bad command line.
 */
export async function runAdminCommand(
  tool: string,
  argv: string[],
  services: AdminServices,
  out: CliOutput,
  follow = false,
): Promise<number> {
  try {
    if (tool === 'apikey') {
      const command = parseApiKeyCommand(argv);
      if (command.kind === 'help') return usage(out, API_KEY_CLI_USAGE);
      await runApiKeyCommand(command, await services.apiKeys(), out);
    } else if (tool === 'reembed') {
      const command = parseReembedCommand(argv);
      if (command.kind === 'help') return usage(out, REEMBED_CLI_USAGE);
      await runReembedCommand(command, await services.reembed(), out, follow);
    } else {
      out.log(ADMIN_USAGE);
      return tool === 'help' ? 0 : 2;
    }
    return 0;
  } catch (error) {
    if (error instanceof CliUsageError) {
      out.log(`${error.message}\n`);
      return usage(out, tool === 'apikey' ? API_KEY_CLI_USAGE : REEMBED_CLI_USAGE, 2);
    }
    if (error instanceof DomainError) {
      out.log(error.message);
      return 1;
    }
    throw error;
  }
}

function usage(out: CliOutput, text: string, code = 0): number {
  out.log(text);
  return code;
}
