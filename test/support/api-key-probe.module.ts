import { Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import {
  ApiKeyProtected,
  CurrentApiKey,
  InferenceRoute,
  Public,
  RequireScopes,
} from '../../src/api-keys/api-key.decorators.js';
import type { AuthenticatedApiKey } from '../../src/api-keys/api-key.types.js';

/**
 * Test-only routes, one per kind of protection, so the e2e tests exercise the guards on routes
 * marked exactly as the recognition, enrollment and user controllers mark theirs.
 */
@ApiKeyProtected()
@Controller('test-probe')
class ApiKeyProbeController {
  @Get('recognise')
  @RequireScopes('recognise')
  @InferenceRoute()
  recognise(@CurrentApiKey() key: AuthenticatedApiKey | undefined): { keyId: string | undefined } {
    return { keyId: key?.id };
  }

  @Post('enroll')
  @HttpCode(200)
  @RequireScopes('enroll')
  enroll(): { ok: true } {
    return { ok: true };
  }

  @Get('manage')
  @RequireScopes('manage')
  manage(): { ok: true } {
    return { ok: true };
  }

  @Get('undeclared')
  undeclared(): { ok: true } {
    return { ok: true };
  }

  @Get('public')
  @Public()
  open(@CurrentApiKey() key: AuthenticatedApiKey | undefined): { keyId: string | null } {
    return { keyId: key?.id ?? null };
  }
}

@Module({ controllers: [ApiKeyProbeController] })
export class ApiKeyProbeModule {}
