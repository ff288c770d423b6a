import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { ApiKeyProtected, RequireScopes } from '../api-keys/api-key.decorators.js';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('metrics')
@ApiKeyProtected({ throttled: false })
@RequireScopes('metrics')
// A scraper polls on a fixed schedule; it must not eat into its key's request budget.
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'Needs a key with the `metrics` scope, e.g. as `Authorization: Bearer <key>` in the scrape config.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4', schema: { type: 'string' } })
  @ApiErrorResponses(401, 403)
  async get(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    res.setHeader('Content-Type', contentType);
    res.send(body);
  }
}
