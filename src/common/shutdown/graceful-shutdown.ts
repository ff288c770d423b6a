import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Draining the HTTP server before anything else stops. Nest's own shutdown runs the modules'
 * destroy hooks first and closes the HTTP server after them, so requests in flight would meet
 * stopped workers; here the server stops accepting, in-flight requests finish (up to a deadline),
 * and only then does the application close — inference workers, then the database.
 */
export class GracefulShutdown {
  private inFlight = 0;
  private draining = false;
  private idle?: () => void;

  /** Counts requests; once draining, asks clients not to reuse their connection. */
  readonly middleware = (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (this.draining) res.setHeader('Connection', 'close');
    this.inFlight++;
    res.once('close', () => {
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    });
    next();
  };

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Stops accepting connections and waits for the requests in flight, at most `timeoutMs`; idle
   * keep-alive connections are closed as they become idle, the rest when time is up. Resolves with
   * the number of requests that were still running at the deadline (0 on a clean drain).
   */
  async drain(server: Server, timeoutMs: number): Promise<number> {
    this.draining = true;
    server.close();
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    try {
      if (this.inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          this.idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      clearInterval(sweep);
      this.idle = undefined;
    }
    const left = this.inFlight;
    server.closeAllConnections();
    return left;
  }
}
