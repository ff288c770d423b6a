import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const API_KEY_SECURITY = 'api-key';

/** Builds the OpenAPI document from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Face Recognition Service')
    .setDescription(
      'Detects, aligns and embeds faces with pre-trained models and matches them against enrolled users ' +
        'stored in PostgreSQL + pgvector. Every error uses one envelope: ' +
        '`{ "status": "error", "error_code", "message", "requestId" }`.',
    )
    .setVersion('1.0.0')
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'API key (shown once at creation)' },
      API_KEY_SECURITY,
    )
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
}

/** Serves Swagger UI at /docs and the JSON at /docs-json. */
export function setupOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
