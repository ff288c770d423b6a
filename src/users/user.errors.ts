import { ConflictError } from '../common/domain-error.js';

/** Two users cannot share an e-mail address (a unique index decides races). */
export class EmailTakenError extends ConflictError {
  constructor() {
    super('User already exists with this email');
  }
}
