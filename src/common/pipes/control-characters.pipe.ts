import { type ArgumentMetadata, BadRequestException, type PipeTransform } from '@nestjs/common';

/**
 * C0 control characters (tab, line feed and carriage return included) and DEL. No name, e-mail,
 * id or filter the API takes legitimately holds one, and NUL is refused by PostgreSQL itself
 * ("invalid byte sequence"), which would otherwise surface as a 500.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Refuses, with a 400 naming the field, any string in a request's body, query or route parameters
 * that contains a control character — before validation, so no DTO can forget to. It runs first
 * among the global pipes.
 */
export class RejectControlCharactersPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const field = findControl(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
    if (field !== undefined) {
      const name = field || metadata.type;
      const message = `${name} contains a control character`;
      throw new BadRequestException({
        message: `Validation failed: ${message}`,
        details: [{ field: name, errors: [message] }],
      });
    }
    return value;
  }
}

/** The path of the first string (or key) holding a control character, or undefined. */
function findControl(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return CONTROL.test(value) ? path : undefined;
  if (depth > 8 || value === null || typeof value !== 'object') return undefined;
  if (ArrayBuffer.isView(value)) return undefined; // uploaded file bytes
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path ? `${path}.${key}` : key;
    if (CONTROL.test(key)) return JSON.stringify(itemPath);
    const found = findControl(item, itemPath, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
