import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, lintOpenApi } from '../../scripts/openapi-lint.js';
import { CLIENT_SCHEMA_FILE, generateClientSchema } from '../../scripts/generate-client.js';
import { generateOpenApiDocument, serializeOpenApi } from '../../src/openapi/openapi-document.js';

describe('committed OpenAPI document', () => {
  it('matches the one generated from the code (run `npm run openapi` after changing the API)', async () => {
    const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
    const generated = serializeOpenApi(await generateOpenApiDocument());
    expect(generated).toBe(committed);
  });

  it("passes Redocly's recommended ruleset without a single problem (`npm run openapi:lint`)", async () => {
    const problems = await lintOpenApi('openapi.json');
    expect(problems.map(formatProblem)).toEqual([]);
  });

  it('gives every operation a unique camelCase operationId, and every error an example', () => {
    const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as {
      paths: Record<string, Record<string, { operationId?: string; responses: Record<string, unknown> }>>;
    };
    const ids: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-z][a-zA-Z]+$/);
        ids.push(operation.operationId!);
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          const json = (response as { content?: Record<string, { examples?: object }> }).content?.[
            'application/json'
          ];
          expect(Object.keys(json?.examples ?? {}).length, `${method} ${path} ${status}`).toBeGreaterThan(0);
        }
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('committed typed client', () => {
  it(`${CLIENT_SCHEMA_FILE} matches the types generated from openapi.json (run \`npm run client\`)`, async () => {
    const committed = readFileSync(new URL(`../../${CLIENT_SCHEMA_FILE}`, import.meta.url), 'utf8');
    expect(await generateClientSchema('openapi.json')).toBe(committed);
  });
});
