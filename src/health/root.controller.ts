import { Controller, Get, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../api-keys/api-key.decorators.js';

/** Someone who opens the service's address in a browser lands on the API documentation. */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller()
export class RootController {
  @Get()
  @Redirect('/docs', 302)
  root(): void {}
}
