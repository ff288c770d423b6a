import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import ts from 'typescript';

/** Where `npm run client` writes the types the typed client (client/index.ts) is built on. */
export const CLIENT_SCHEMA_FILE = 'client/schema.d.ts';

/**
 * The TypeScript types of an OpenAPI document (openapi.json by default), as openapi-typescript
 * writes them, except that uploads and downloads (`format: binary`) are Blobs rather than strings
 * (what FormData takes and what `parseAs: 'blob'` returns), and fields with a default stay optional.
 */
export async function generateClientSchema(openapiFile = 'openapi.json'): Promise<string> {
  const document: unknown = JSON.parse(readFileSync(resolve(openapiFile), 'utf8'));
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], {
    silent: true,
    // A field with a default is optional to send (openapi-typescript would make it required).
    defaultNonNullable: false,
    transform: (schema) =>
      schema.format === 'binary' ? ts.factory.createTypeReferenceNode('Blob') : undefined,
  });
  return COMMENT_HEADER + astToString(ast);
}

// `npm run client [openapi.json]`: regenerates client/schema.d.ts.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeFileSync(resolve(CLIENT_SCHEMA_FILE), await generateClientSchema(process.argv[2]));
  console.log(`Wrote ${CLIENT_SCHEMA_FILE}`);
}
