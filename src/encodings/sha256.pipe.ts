import { Injectable, type PipeTransform } from '@nestjs/common';
import { BadRequestError } from '../common/domain-error.js';

/** A SHA-256 path parameter: 64 hex characters, answered in lowercase. */
@Injectable()
export class Sha256Pipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[0-9a-fA-F]{64}$/.test(value)) {
      throw new BadRequestError('The file hash must be a SHA-256: 64 hexadecimal characters');
    }
    return value.toLowerCase();
  }
}
