import { DomainError } from './domain-error.js';

/**
 * A server-side failure that trying again cannot fix (no ffmpeg on this installation, an analysis
 * past its time limit): background jobs fail the item at once instead of retrying it.
 */
export class PermanentError extends DomainError {}
