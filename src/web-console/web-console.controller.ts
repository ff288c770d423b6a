import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { Public } from '../api-keys/api-key.decorators.js';
import { WebConsoleService } from './web-console.service.js';

const PREFIX = '/console';

/**
 * The web console's page and files. Public and not rate limited: they are static, hold no data,
 * and the console signs in with an API key for every API call it makes.
 */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller('console')
export class WebConsoleController {
  constructor(private readonly console: WebConsoleService) {}

  @Get(['', '*path'])
  serve(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.console.send(req.path.slice(PREFIX.length), res);
  }
}
