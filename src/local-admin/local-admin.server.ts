import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { ReembedService } from '../gallery/reembed/reembed.service.js';
import { DatabaseService } from '../infra/database/database.service.js';
import { runAdminCommand } from './admin-commands.js';

/** File name of the admin socket, beside the embedded database's in its owner-only directory. */
export const ADMIN_SOCKET_NAME = 'admin.sock';
/** A request is one JSON line; nothing an admin command takes comes near this. */
const MAX_REQUEST_BYTES = 64 * 1024;

export interface AdminRequest {
  tool: string;
  argv: string[];
}

export interface AdminReply {
  code: number;
  logs: string[];
  data: unknown[];
}

/**
 * The project's CLI while the server runs on the embedded database: the database is this process's
 * (one PGlite session), so the CLI cannot open it, and must not need an admin key to create the
 * first one. It sends its command over a Unix socket in the same owner-only directory as the
 * database's; only the OS user that runs the server (and root) can connect, which is the same trust
 * the data directory itself gets. The command runs here, with this server's services.
 */
@Injectable()
export class LocalAdminServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LocalAdminServer.name);
  private server?: Server;
  private socketPath?: string;

  constructor(
    private readonly database: DatabaseService,
    private readonly apiKeys: ApiKeysService,
    private readonly reembed: ReembedService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const dir = this.database.socketDirectory;
    if (!dir) return; // A PostgreSQL server: the CLI connects to it directly.
    const socketPath = path.join(dir, ADMIN_SOCKET_NAME);
    rmSync(socketPath, { force: true });
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    chmodSync(socketPath, 0o600);
    this.server = server;
    this.socketPath = socketPath;
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.socketPath) rmSync(this.socketPath, { force: true });
  }

  private serve(socket: Socket): void {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_REQUEST_BYTES) return socket.destroy();
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      socket.removeAllListeners('data');
      void this.handle(buffer.slice(0, end)).then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    });
  }

  private async handle(line: string): Promise<AdminReply> {
    const reply: AdminReply = { code: 0, logs: [], data: [] };
    const out = { log: (m: string) => reply.logs.push(m), data: (v: unknown) => reply.data.push(v) };
    try {
      const request = JSON.parse(line) as Partial<AdminRequest>;
      if (
        typeof request.tool !== 'string' ||
        !Array.isArray(request.argv) ||
        !request.argv.every((a) => typeof a === 'string')
      ) {
        return { code: 2, logs: ['Malformed request'], data: [] };
      }
      this.logger.log(`Admin command from the local socket: ${request.tool} ${request.argv[0] ?? ''}`);
      reply.code = await runAdminCommand(
        request.tool,
        request.argv,
        {
          apiKeys: () => Promise.resolve(this.apiKeys),
          reembed: () => Promise.resolve(this.reembed),
        },
        out,
      );
    } catch (error) {
      this.logger.error(`Admin command failed: ${(error as Error).message}`);
      return { code: 1, logs: [`The command failed in the server: ${(error as Error).message}`], data: [] };
    }
    return reply;
  }
}
