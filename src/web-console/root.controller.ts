import { Controller, Get, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../api-keys/api-key.decorators.js';
import { WebConsoleService } from './web-console.service.js';

/**
 * Someone who opens the service's address in a browser lands on the web console, or on the API
 * documentation when this server has no console to serve.
 */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller()
export class RootController {
  constructor(private readonly console: WebConsoleService) {}

  @Get()
  @Redirect('/docs', 302)
  root(): { url: string } | undefined {
    return this.console.available ? { url: '/console' } : undefined;
  }
}
