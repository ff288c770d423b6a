import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiResponse, BenchApiClient } from './api-client.js';
import { type MultipartField, multipartBody } from './multipart.js';

export interface JobSummary {
  id: string;
  status: string;
  progress: { total: number; done: number; failed: number; pending: number };
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
}

/** Creating and following jobs over HTTP, for the jobs and video benchmarks. */
export class BenchJobsClient {
  private readonly api: BenchApiClient;

  constructor(
    readonly baseUrl: string,
    readonly key: string,
  ) {
    this.api = new BenchApiClient(baseUrl, key, 600_000);
  }

  /** Posts a job; throws unless the service accepted it (202). */
  async create(route: string, fields: readonly MultipartField[]): Promise<JobSummary> {
    const response = await this.api.postMultipart(route, fields);
    if (response.status !== 202) {
      throw new Error(`POST ${route} answered HTTP ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body as unknown as JobSummary;
  }

  async get(id: string): Promise<JobSummary> {
    return (await this.json('GET', `/api/v1/jobs/${id}`)).body as unknown as JobSummary;
  }

  /** Polls until the job has ended; `onProgress` sees each reading. */
  async settle(id: string, onProgress?: (job: JobSummary) => void, pollMs = 250): Promise<JobSummary> {
    for (;;) {
      const job = await this.get(id);
      onProgress?.(job);
      if (!['queued', 'running'].includes(job.status)) return job;
      await sleep(pollMs);
    }
  }

  /** Every item of a job (paged). */
  async items(id: string): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    for (let page = 1; ; page++) {
      const { body } = await this.json('GET', `/api/v1/jobs/${id}/items?limit=100&page=${page}`);
      const pageItems = (body?.items ?? []) as Array<Record<string, unknown>>;
      items.push(...pageItems);
      if (pageItems.length === 0 || items.length >= Number(body?.total ?? 0)) return items;
    }
  }

  private async json(method: string, route: string): Promise<ApiResponse> {
    const started = process.hrtime.bigint();
    const response = await fetch(new URL(route, this.baseUrl), {
      method,
      headers: { 'x-api-key': this.key },
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await response.json()) as Record<string, unknown>;
    return { status: response.status, body, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  }
}

export { multipartBody };
