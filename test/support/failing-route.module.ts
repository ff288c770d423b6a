import { Controller, Get, Module, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeyProtected, RequireScopes } from '../../src/api-keys/api-key.decorators.js';

/**
 * A test-only route that fails the way a careless bug does: an unexpected error whose message
 * (and so its stack) echoes the caller's `x-api-key` header. The 500 it causes is logged with the
 * stack; the tests check that the key never reaches the log in full.
 */
@ApiKeyProtected()
@Controller('test-failing')
class FailingController {
  @Get('echo-key')
  @RequireScopes('recognise')
  echoKey(@Req() req: Request): never {
    throw new Error(`upstream refused the credentials ${String(req.headers['x-api-key'])}`);
  }
}

@Module({ controllers: [FailingController] })
export class FailingRouteModule {}
