import { Injectable } from '@nestjs/common';
import { ServiceUnavailableError } from '../common/domain-error.js';
import { DatabaseService } from '../infra/database/database.service.js';
import { FaceModels } from '../face/face.ports.js';
import type { LivenessDto, ReadinessDto } from './health.dto.js';

@Injectable()
export class HealthService {
  constructor(
    private readonly database: DatabaseService,
    private readonly models: FaceModels,
  ) {}

  live(): LivenessDto {
    return { status: 'ok', uptime_seconds: Math.round(process.uptime() * 10) / 10 };
  }

  /** Ready when the database answers within a second and every model is loaded in a live worker. */
  async ready(): Promise<ReadinessDto> {
    const checks = { database: await this.database.ping(), models: this.models.isReady() };
    const failing = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    if (failing.length > 0) throw new ServiceUnavailableError(`Not ready: ${failing.join(', ')}`);
    return { status: 'ok', checks };
  }
}
