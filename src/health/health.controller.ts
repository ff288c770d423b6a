import { Controller, Get, HttpCode, HttpStatus } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../api-keys/api-key.decorators.js';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
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
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return this.health.live();
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers and the models are loaded' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'A dependency is not ready' })
  ready(): Promise<ReadinessDto> {
    return this.health.ready();
  }
}
