import { connect } from 'node:net';
import path from 'node:path';
import { ADMIN_SOCKET_NAME, type AdminReply, type AdminRequest } from '../local-admin/local-admin.server.js';

/**
 * Sends one command to a running server through its local admin socket, found beside the database
 * socket the server recorded in its data-directory lock.
 */
export function sendToLocalAdmin(databaseSocket: string, request: AdminRequest): Promise<AdminReply> {
  const socketPath = path.join(path.dirname(databaseSocket), ADMIN_SOCKET_NAME);
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(10 * 60_000, () => socket.destroy(new Error('The server did not answer in time')));
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (buffer += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `The server holds the database but its admin socket (${socketPath}) cannot be reached: ${error.code ?? error.message}. ` +
            'Run this as the user that runs the server.',
        ),
      ),
    );
    socket.on('end', () => {
      try {
        resolve(JSON.parse(buffer) as AdminReply);
      } catch {
        reject(new Error('The server sent an unreadable answer'));
      }
    });
  });
}
