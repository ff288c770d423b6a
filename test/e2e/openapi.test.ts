import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOpenApiDocument, serializeOpenApi } from '../../src/openapi/openapi-document.js';

describe('committed OpenAPI document', () => {
  it('matches the one generated from the code (run `npm run openapi` after changing the API)', async () => {
    const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
    const generated = serializeOpenApi(await generateOpenApiDocument());
    expect(generated).toBe(committed);
  });
});
