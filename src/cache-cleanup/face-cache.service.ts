import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import type { DbClient } from '../infra/database/db-client.js';
import { type CachedFaceEntry, FaceCacheRepository } from './face-cache.repository.js';

export type NewCachedFace = Omit<CachedFaceEntry, 'reqId' | 'expiresAt'>;

/** Keeps unmatched faces claimable for the configured TTL under an unguessable `req_id`. */
@Injectable()
export class FaceCacheService {
  constructor(
    private readonly repository: FaceCacheRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async put(face: NewCachedFace): Promise<{ reqId: string; expiresAt: Date }> {
    // 128 bits of randomness: a req_id is a bearer token for a face vector until it expires.
    const reqId = `req-${randomBytes(16).toString('hex')}`;
    const expiresAt = new Date(this.clock.now().getTime() + this.config.cache.ttlSeconds * 1000);
    await this.repository.insert({ ...face, reqId, expiresAt });
    return { reqId, expiresAt };
  }

  /** Consumes a live entry inside the caller's transaction; null when unknown, used or expired. */
  take(db: DbClient, reqId: string): Promise<CachedFaceEntry | null> {
    return this.repository.take(db, reqId, this.clock.now());
  }

  /** A live entry without consuming it; null when unknown, used or expired. */
  peek(reqId: string): Promise<CachedFaceEntry | null> {
    return this.repository.peek(reqId, this.clock.now());
  }

  countLive(): Promise<number> {
    return this.repository.countLive(this.clock.now());
  }
}
