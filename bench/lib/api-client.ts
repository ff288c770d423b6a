import { type MultipartField, multipartBody } from './multipart.js';

export interface ApiResponse {
  status: number;
  /** The parsed JSON body; undefined when the body was not JSON. */
  body: Record<string, unknown> | undefined;
  ms: number;
}

/** The service's error envelope field that names the failure (601 = no face, 409/… for others). */
export function errorCode(response: ApiResponse): number | undefined {
  const code = response.body?.error_code;
  return typeof code === 'number' ? code : undefined;
}

/** One profile as `GET /api/v1/models` describes it (ModelProfileDto). */
export interface ServedProfile {
  name: string;
  embedding_space: string;
  dimension: number;
  threshold: number;
  margin: number;
  flip: boolean;
  detector: string;
}

/** `GET /api/v1/models`: the profile FACE_PROFILE selects and the one recognition actually uses. */
export interface ServedModels {
  active: ServedProfile;
  serving: ServedProfile;
  move_pending: boolean;
  available: string[];
}

/** A minimal client of the service's HTTP API for benchmarks (one request at a time per call). */
export class BenchApiClient {
  constructor(
    readonly baseUrl: string,
    readonly key: string,
    private readonly timeoutMs = 120_000,
  ) {}

  async postMultipart(route: string, fields: readonly MultipartField[]): Promise<ApiResponse> {
    const { body, contentType } = multipartBody(fields);
    return this.post(route, body, contentType);
  }

  async postJson(route: string, json: unknown): Promise<ApiResponse> {
    return this.post(route, Buffer.from(JSON.stringify(json)), 'application/json');
  }

  addUser(name: string, jpeg: Uint8Array): Promise<ApiResponse> {
    return this.postMultipart('/api/v1/add_user', [
      { name: 'name', value: name },
      { name: 'birthdate', value: '1970-01-01' },
      { name: 'image', file: jpeg, filename: 'enrol.jpg', contentType: 'image/jpeg' },
    ]);
  }

  recognise(jpeg: Uint8Array): Promise<ApiResponse> {
    return this.postMultipart('/api/v1/recognise_user', [
      { name: 'image', file: jpeg, filename: 'probe.jpg', contentType: 'image/jpeg' },
    ]);
  }

  identify(jpeg: Uint8Array, topK: number): Promise<ApiResponse> {
    return this.postMultipart('/api/v1/identify', [
      { name: 'top_k', value: String(topK) },
      { name: 'image', file: jpeg, filename: 'probe.jpg', contentType: 'image/jpeg' },
    ]);
  }

  /**
   * The profile the service recognises with (`serving`), with the threshold and margin it was
   * calibrated with — MATCH_THRESHOLD / MATCH_MARGIN overrides are not reflected here.
   */
  async models(): Promise<ServedModels> {
    const response = await this.request('GET', '/api/v1/models');
    const body = response.body as Partial<ServedModels> | undefined;
    if (response.status !== 200 || !body?.serving || typeof body.serving.threshold !== 'number') {
      throw new Error(
        `GET /api/v1/models answered HTTP ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    return body as ServedModels;
  }

  private post(route: string, body: Buffer, contentType: string): Promise<ApiResponse> {
    return this.request('POST', route, body, contentType);
  }

  private async request(
    method: string,
    route: string,
    body?: Buffer,
    contentType?: string,
  ): Promise<ApiResponse> {
    const started = process.hrtime.bigint();
    const response = await fetch(new URL(route, this.baseUrl), {
      method,
      headers: { 'x-api-key': this.key, ...(contentType && { 'content-type': contentType }) },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> | undefined;
    try {
      const value: unknown = JSON.parse(text);
      parsed = value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  }
}
