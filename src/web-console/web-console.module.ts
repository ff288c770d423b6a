import { Module } from '@nestjs/common';
import { RootController } from './root.controller.js';
import { WebConsoleController } from './web-console.controller.js';
import { WebConsoleService } from './web-console.service.js';

/** The browser's entry points: the web console at /console, and the redirect from /. */
@Module({
  controllers: [RootController, WebConsoleController],
  providers: [WebConsoleService],
})
export class WebConsoleModule {}
