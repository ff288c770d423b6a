import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateOpenApiDocument, serializeOpenApi } from '../openapi/openapi-document.js';

// Regenerates the committed openapi.json from the controllers' decorators.
const target = resolve(process.argv[2] ?? 'openapi.json');
const document = await generateOpenApiDocument();
writeFileSync(target, serializeOpenApi(document));
console.log(`Wrote ${Object.keys(document.paths).length} paths to ${target}`);
