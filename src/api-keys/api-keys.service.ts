import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/domain-error.js';
import { pageOf, type PaginationQueryDto } from '../common/dto/pagination.dto.js';
import { ADMIN_SCOPE } from './api-key-scopes.js';
import { generateApiKey, normalizeKeyPrefix } from './api-key-secret.js';
import type { NewApiKey } from './api-key.types.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { type ApiKeyDto, type ApiKeyListDto, type CreatedApiKeyDto, toApiKeyDto } from './dto/api-key.dto.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A prefix collision needs two of 62^8 ids to meet; three tries make a failure practically impossible.
const INSERT_ATTEMPTS = 3;

/**
 * Creates, lists and revokes API keys. Used by the admin controller and, constructed by hand, by
 * the `apikey` CLI, so it depends on nothing but the repository.
 */
@Injectable()
export class ApiKeysService {
  constructor(private readonly repository: ApiKeysRepository) {}

  async create(input: NewApiKey): Promise<CreatedApiKeyDto> {
    for (let attempt = 0; attempt < INSERT_ATTEMPTS; attempt++) {
      const generated = generateApiKey();
      const record = await this.repository.insert({
        ...input,
        prefix: generated.prefix,
        keyHash: generated.hash,
      });
      if (record) return { ...toApiKeyDto(record), key: generated.key };
    }
    throw new Error(`Could not find a free API key prefix in ${INSERT_ATTEMPTS} attempts`);
  }

  /** Creates an admin key only when no key exists at all; `undefined` otherwise. */
  async createBootstrapKey(): Promise<CreatedApiKeyDto | undefined> {
    const generated = generateApiKey();
    const record = await this.repository.insertIfNoKeys({
      name: 'bootstrap-admin',
      scopes: [ADMIN_SCOPE],
      prefix: generated.prefix,
      keyHash: generated.hash,
    });
    return record ? { ...toApiKeyDto(record), key: generated.key } : undefined;
  }

  /** Every key, oldest first (the CLI lists them all). */
  async list(): Promise<ApiKeyDto[]> {
    return (await this.repository.list()).map(toApiKeyDto);
  }

  /** One page of `list()`, in the list envelope the admin API answers with. */
  async page(query: PaginationQueryDto): Promise<ApiKeyListDto> {
    const { page, limit, skip } = pageOf(query);
    const { rows, total } = await this.repository.page(skip, limit);
    return { items: rows.map(toApiKeyDto), page, limit, total };
  }

  async revoke(id: string): Promise<ApiKeyDto> {
    const record = await this.repository.revoke(id, new Date());
    if (!record) throw new NotFoundError(`API key ${id} not found`);
    return toApiKeyDto(record);
  }

  /** Revokes by id, by prefix (`frk_live_AbCd1234`) or by the prefix's 8-character id (CLI). */
  async revokeByReference(reference: string): Promise<ApiKeyDto> {
    if (UUID.test(reference)) return this.revoke(reference);
    const prefix = normalizeKeyPrefix(reference);
    const record = prefix ? await this.repository.findByPrefix(prefix) : undefined;
    if (!record) throw new NotFoundError(`API key ${reference} not found`);
    return this.revoke(record.id);
  }
}
