/**
 * `npm run models [-- --force]`: converts face-api's TF.js weights (shipped in node_modules) to the
 * ONNX models in models/ that the service runs with onnxruntime-node. Runs on every install.
 */
import { fileURLToPath } from 'node:url';

import { buildModels } from './converter.js';

const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

const unknown = process.argv.slice(2).filter((arg) => arg !== '--force');
if (unknown.length > 0) {
  console.error(`usage: build-models [--force] (unknown: ${unknown.join(' ')})`);
  process.exit(2);
}

await buildModels({ outDir: MODELS_DIR, force: process.argv.includes('--force'), log: console.log });
