import { Controller, Get, HttpCode, HttpStatus } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../api-keys/api-key.decorators.js';
import { ApiErrorResponses } from '../common/decorators/api-error-responses.decorator.js';
import { LivenessDto, ReadinessDto } from './health.dto.js';
import { HealthService } from './health.service.js';

// Probes carry no key, and an orchestrator's probe answered 429 would restart a healthy instance.
@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness: the process is up and serving HTTP',
    security: [],
  })
  @ApiOkResponse({ type: LivenessDto })
  @ApiErrorResponses('key_in_url')
  live(): LivenessDto {
    return this.health.live();
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: the database answers and the models are loaded',
    security: [],
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiErrorResponses('key_in_url', 'not_ready')
  ready(): Promise<ReadinessDto> {
    return this.health.ready();
  }
}
