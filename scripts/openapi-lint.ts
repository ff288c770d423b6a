import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createConfig, lint, type NormalizedProblem } from '@redocly/openapi-core';

/** One problem Redocly found, reduced to what a person needs to fix it. */
export interface OpenApiProblem {
  severity: 'error' | 'warn';
  rule: string;
  message: string;
  /** JSON pointer into the document, e.g. `#/paths/~1api~1v1~1stats/get/responses`. */
  where: string;
}

/**
 * Lints an OpenAPI document with Redocly's `recommended` ruleset, exactly as `redocly lint` would
 * with `extends: [recommended]` and no ignore file. Every problem counts, warnings included.
 */
export async function lintOpenApi(file = 'openapi.json'): Promise<OpenApiProblem[]> {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lint({ ref: resolve(file), config });
  return problems.filter((p) => !p.ignored).map(toProblem);
}

export function formatProblem(p: OpenApiProblem): string {
  return `${p.severity === 'error' ? 'error' : 'warning'} ${p.rule}: ${p.message}\n    at ${p.where}`;
}

function toProblem(p: NormalizedProblem): OpenApiProblem {
  const location = p.location[0];
  const where =
    location === undefined
      ? '(document)'
      : location.pointer !== undefined
        ? location.pointer
        : `line ${location.start.line}, column ${location.start.col}`;
  return { severity: p.severity, rule: p.ruleId, message: p.message, where };
}

// `npm run openapi:lint [file]`: prints every problem and fails on any, warnings included.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const file = process.argv[2] ?? 'openapi.json';
  const problems = await lintOpenApi(file);
  for (const problem of problems) console.error(formatProblem(problem));
  if (problems.length > 0) {
    const errors = problems.filter((p) => p.severity === 'error').length;
    console.error(`\n${file}: ${errors} error(s), ${problems.length - errors} warning(s)`);
    process.exit(1);
  }
  console.log(`${file}: no problems (Redocly recommended ruleset)`);
}
