/** What a job does with its items; each kind has its processor (see processors/). */
export const JOB_KINDS = ['enrolment', 'recognition', 'video'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** Item states are the job states: a job is `completed` once every item is completed or failed. */
export type JobItemStatus = JobStatus;

export const ACTIVE_STATUSES: readonly JobStatus[] = ['queued', 'running'];

/** Why an item failed, in the API's error envelope terms. */
export interface JobItemError {
  error_code: number;
  http_status: number;
  message: string;
  details?: unknown;
}

export interface JobRecord {
  id: string;
  kind: JobKind;
  status: JobStatus;
  apiKeyId: string | null;
  total: number;
  done: number;
  failed: number;
  options: Record<string, unknown>;
  inputBytes: number;
  message: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  expiresAt: Date | null;
}

export interface JobItemRecord {
  jobId: string;
  seq: number;
  status: JobItemStatus;
  attempts: number;
  filename: string | null;
  contentType: string | null;
  sha256: string;
  bytes: number;
  input: Record<string, unknown>;
  result: unknown;
  error: JobItemError | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** An item a worker holds the lease of. */
export interface ClaimedItem {
  jobId: string;
  seq: number;
  kind: JobKind;
  attempts: number;
  filename: string | null;
  sha256: string;
  bytes: number;
  input: Record<string, unknown>;
  options: Record<string, unknown>;
}

/** Who asks: a key sees and cancels its own jobs, an admin key every job. */
export interface JobRequester {
  keyId: string;
  admin: boolean;
}

/** An uploaded file waiting in a temporary file until it is copied into the job's inputs. */
export interface StoredUpload {
  path: string;
  originalname: string;
  mimetype: string;
  size: number;
  sha256: string;
}

export interface NewJobItem {
  upload: StoredUpload;
  input: Record<string, unknown>;
}
