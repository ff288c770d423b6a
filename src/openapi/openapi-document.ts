import type { OpenAPIObject } from '@nestjs/swagger';
import { createApp } from '../app.factory.js';
import { loadConfig } from '../config/app-config.js';
import { buildOpenApiDocument } from './openapi.js';

/**
 * Builds the OpenAPI document without starting anything: preview mode resolves the module graph
 * but instantiates no provider, so no database or model is touched.
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await createApp(loadConfig({}, { DATA_DIR: 'memory://' }), { preview: true, logger: false });
  const document = buildOpenApiDocument(app);
  await app.close();
  return document;
}

/** Stable text form of the document, as committed in openapi.json. */
export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
