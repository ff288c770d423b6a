import { Injectable } from '@nestjs/common';
import { ServiceUnavailableError } from '../common/domain-error.js';
import type { LivenessDto, ReadinessDto } from './health.dto.js';

@Injectable()
export class HealthService {
  live(): LivenessDto {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime() * 10) / 10 };
  }

  async ready(): Promise<ReadinessDto> {
    const checks: Record<string, boolean> = {};
    const failing = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    if (failing.length > 0) throw new ServiceUnavailableError(`Not ready: ${failing.join(', ')}`);
    return { status: 'ok', checks };
  }
}
