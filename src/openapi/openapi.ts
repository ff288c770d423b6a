import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const API_KEY_SECURITY = 'api-key';
/** The same keys, sent as `Authorization: Bearer <key>` (what Prometheus scrape configs use). */
export const BEARER_SECURITY = 'bearer';

/** Every tag the controllers use, in the order the documentation lists them. */
const TAGS: Array<[name: string, description: string]> = [
  ['recognition', 'Recognise a face (1:N with a req_id for unknown faces), identify (1:N) and verify (1:1)'],
  ['enrollment', 'Enrol users from an image or a req_id, and add faces to them'],
  ['faces', 'Detect faces and compute their embeddings, without matching or storing anything'],
  ['users', 'Read, update and delete enrolled users and their faces'],
  ['stats', 'Gallery size, cache, recognitions served and the mean embedding'],
  ['models', 'The model profile in use, its licence and the installed alternatives'],
  ['admin', 'Move the gallery to another model profile by re-embedding the stored face crops'],
  ['api-keys', 'Create, list and revoke API keys (admin scope); any key may read its own (`/me`)'],
  ['health', 'Liveness and readiness probes for orchestrators; no key needed'],
  ['metrics', 'Prometheus metrics (metrics scope)'],
];

interface PackageInfo {
  name: string;
  version: string;
  license: string;
}

/** name, version and licence from package.json (two levels up from both src/openapi and dist/openapi). */
function packageInfo(): PackageInfo {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageInfo;
}

/** Builds the OpenAPI document from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const pkg = packageInfo();
  const builder = new DocumentBuilder()
    .setTitle('Face Recognition Service')
    .setDescription(
      'Detects, aligns and embeds faces with pre-trained models and matches them against enrolled users ' +
        'stored in PostgreSQL + pgvector. Every error uses one envelope: ' +
        '`{ "status": "error", "error_code", "message", "requestId" }` (400 and 409 may add `details`). ' +
        'Every list answers `{ items, page, limit, total }`.',
    )
    .setVersion(pkg.version)
    .setLicense(`${pkg.license} (${pkg.name})`, `https://spdx.org/licenses/${pkg.license}.html`)
    // Relative: the document describes the server that serves it, wherever that is.
    .addServer('/', 'This service')
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'API key (shown once at creation)' },
      API_KEY_SECURITY,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'API key',
        description: 'The same API key as `Authorization: Bearer <key>`',
      },
      BEARER_SECURITY,
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controller, method) => method,
  });
  typeNullableUnions(document);
  return document;
}

/**
 * OpenAPI 3.0 allows `nullable` only beside a `type`, and @nestjs/swagger drops the `type` of a
 * property declared with `oneOf`/`anyOf`: a nullable union of objects (a job item's `result`) gets
 * its `type: object` back here.
 */
function typeNullableUnions(document: OpenAPIObject): void {
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    if (!('properties' in schema) || !schema.properties) continue;
    for (const property of Object.values(schema.properties)) {
      if ('$ref' in property || !property.nullable || property.type) continue;
      if (property.oneOf || property.anyOf) property.type = 'object';
    }
  }
}

/** Serves Swagger UI at /docs and the JSON at /docs-json. */
export function setupOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
