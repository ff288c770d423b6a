/**
 * `npm run reembed -- status|start [--allow-incomplete]|cancel|resume` (compiled to
 * dist/cli/reembed.js): moves the gallery to the active profile (FACE_PROFILE) from the command
 * line, as POST /api/v1/admin/reembed does. It boots the database and the models without the HTTP
 * server; `start` and `resume` run the job in the foreground, printing progress, and stop cleanly
 * (the job resumes later) on Ctrl-C. With the embedded database the server must be stopped first
 * (it holds the data directory); against PostgreSQL it can run beside the servers.
 */
import 'reflect-metadata';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { DomainError } from '../common/domain-error.js';
import { AppLogger } from '../common/logging/app-logger.js';
import { loadConfig, type AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { GalleryModule } from '../gallery/gallery.module.js';
import { ReembedStatusDto } from '../gallery/dto/reembed.dto.js';
import { REEMBED_AUTO_RESUME, ReembedService } from '../gallery/reembed/reembed.service.js';
import { DataDirInUseError } from '../infra/database/data-dir-lock.js';
import { DatabaseModule } from '../infra/database/database.module.js';

const USAGE = `Usage: npm run reembed -- <command> [--json]

  status                        where the move to FACE_PROFILE stands (coverage, latest job, failures)
  start [--allow-incomplete]    re-embed every stored face crop with FACE_PROFILE, then switch to it
  resume                        continue a job that was interrupted
  cancel                        stop the running job (vectors computed so far are kept)

With the embedded database, stop the server first, or use the admin API with an admin key:
GET, POST and DELETE /api/v1/admin/reembed.`;

@Module({})
class ReembedCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ReembedCliModule,
      // Global, so that GalleryModule's ReembedService sees the flag.
      global: true,
      imports: [ConfigModule.forRoot(config), DatabaseModule, GalleryModule],
      providers: [{ provide: REEMBED_AUTO_RESUME, useValue: false }],
      exports: [REEMBED_AUTO_RESUME],
    };
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      'allow-incomplete': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['status', 'start', 'resume', 'cancel'].includes(command)) {
    console.log(USAGE);
    return command && !values.help ? 2 : 0;
  }
  const config = loadConfig();
  let app;
  try {
    app = await NestFactory.createApplicationContext(ReembedCliModule.forRoot(config), {
      logger: new AppLogger(config.server.logLevel === 'log' ? 'warn' : config.server.logLevel),
      abortOnError: false,
    });
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    console.error(
      `The embedded database in ${config.database.dataDir} is in use by the running server (pid ${error.ownerPid}).\n` +
        'Stop the server and run this again, or use GET/POST/DELETE /api/v1/admin/reembed with an admin key.',
    );
    return 75; // EX_TEMPFAIL
  }
  const reembed = app.get(ReembedService);
  const print = async () => {
    const status = ReembedStatusDto.from(await reembed.status());
    console.log(values.json ? JSON.stringify(status, null, 2) : describe(status));
  };
  const stop = () => void app.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (command === 'cancel') await reembed.cancel();
    if (command === 'start') await reembed.start(values['allow-incomplete'] ?? false);
    if (command === 'resume' && !(await reembed.resumeHere())) {
      console.error('No job to resume here (none is running, or another instance holds it).');
    }
    if (command === 'start' || command === 'resume') await follow(reembed);
    await print();
    return 0;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    console.error(error.message);
    return 1;
  } finally {
    await app.close();
  }
}

/** Prints progress every few seconds until the job this process runs ends. */
async function follow(reembed: ReembedService): Promise<void> {
  const timer = setInterval(() => {
    void reembed.status().then(({ job }) => {
      if (job)
        Logger.log(`${job.done + job.failed} of ${job.total} face(s) (${job.failed} failed)`, 'reembed');
    });
  }, 5_000);
  try {
    await reembed.settled();
  } finally {
    clearInterval(timer);
  }
}

function describe(status: ReembedStatusDto): string {
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

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`reembed failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
