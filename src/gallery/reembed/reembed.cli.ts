import { parseArgs } from 'node:util';
import type { CliOutput } from '../../api-keys/api-keys.cli.js';
import { CliUsageError } from '../../api-keys/api-keys.cli.js';
import { ReembedJobDto, ReembedStatusDto } from '../dto/reembed.dto.js';
import type { ReembedService } from './reembed.service.js';

export const REEMBED_CLI_USAGE = `Usage: npm run reembed -- <command> [--json]

  status                        where the move to FACE_PROFILE stands (coverage, latest job, failures)
  start [--allow-incomplete]    re-embed every stored face crop with FACE_PROFILE, then switch to it
  resume                        continue a job that was interrupted
  cancel                        stop the running job (vectors computed so far are kept)

While the server runs on the embedded database, the command goes through its local admin socket
and the job runs in the server; otherwise start and resume run the job here, in the foreground.
The admin API does the same with an admin key: GET, POST and DELETE /api/v1/admin/reembed.`;

export type ReembedCommand =
  | { kind: 'status' }
  | { kind: 'start'; allowIncomplete: boolean }
  | { kind: 'resume' }
  | { kind: 'cancel' }
  | { kind: 'help' };

export function parseReembedCommand(argv: string[]): ReembedCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'allow-incomplete': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') return { kind: 'help' };
  if (rest.length > 0) throw new CliUsageError(`Unexpected argument(s): ${rest.join(' ')}`);
  if (values['allow-incomplete'] && command !== 'start') {
    throw new CliUsageError('--allow-incomplete goes with start');
  }
  switch (command) {
    case 'status':
    case 'resume':
    case 'cancel':
      return { kind: command };
    case 'start':
      return { kind: 'start', allowIncomplete: values['allow-incomplete'] ?? false };
    default:
      throw new CliUsageError(`Unknown command "${command}"`);
  }
}

/**
 * Runs a re-embedding command with `service`. With `follow`, start and resume wait for the job to
 * end, logging progress (the standalone CLI); without, they return once the job is running (through
 * the server's admin socket, the job runs in the server).
 */
export async function runReembedCommand(
  command: Exclude<ReembedCommand, { kind: 'help' }>,
  service: ReembedService,
  out: CliOutput,
  follow: boolean,
): Promise<void> {
  if (command.kind === 'cancel') {
    const job = await service.cancel();
    out.log(`Cancelled job ${job.id} (${job.done} of ${job.total} done)`);
    out.data(ReembedJobDto.from(job));
    return;
  }
  if (command.kind === 'start') {
    const job = await service.start(command.allowIncomplete);
    out.log(`Started job ${job.id}: ${job.total} face(s) to re-embed into '${job.targetProfile}'`);
  }
  if (command.kind === 'resume' && !(await service.resumeHere())) {
    out.log('No job to resume here (none is running, or another instance holds it).');
  }
  if (follow && command.kind !== 'status') {
    const timer = setInterval(() => {
      void service.status().then(({ job }) => {
        if (job) out.log(`  ${job.done + job.failed} of ${job.total} face(s) (${job.failed} failed)`);
      });
    }, 5_000);
    try {
      await service.settled();
    } finally {
      clearInterval(timer);
    }
  }
  const status = ReembedStatusDto.from(await service.status());
  out.log(describeStatus(status));
  out.data(status);
}

function describeStatus(status: ReembedStatusDto): string {
  const lines = [`Serving: ${status.serving_profile} (${status.serving_model ?? 'no faces yet'})`];
  if (status.target_profile && status.coverage) {
    const c = status.coverage;
    lines.push(
      `Moving to: ${status.target_profile} — ${c.covered} of ${c.faces} face(s) done, ${c.pending} to do, ` +
        `${c.without_crop} without a stored crop; ${status.users_without_target ?? 0} user(s) not yet covered`,
    );
  } else lines.push('Nothing to move: the active profile serves the gallery.');
  const job = status.job;
  if (job) {
    lines.push(
      `Latest job ${job.id}: ${job.status}, ${job.done}/${job.total} done, ${job.failed} failed` +
        `${job.switched ? ', switched' : ''}${job.message ? ` — ${job.message}` : ''}`,
    );
  }
  for (const f of status.failures) lines.push(`  face ${f.face_id} of user ${f.user_id}: ${f.reason}`);
  return lines.join('\n');
}
