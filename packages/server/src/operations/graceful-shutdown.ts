/** What shutdown logs to (the app's pino logger). */
export interface ShutdownLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
  fatal(object: object, message: string): void;
}

/**
 * Stops the process within a bound, once, whatever asks first.
 * strategy: SIGTERM and SIGINT start an orderly stop — `stop()` closes the server (no new
 * connections; requests in flight are finished; idle keep-alive connections are closed), stops
 * the ingestion applier and closes the database. If that has not finished after `timeoutMs`
 * (a slow upload that never ends), or a second signal comes, the process exits with code 1 at
 * once: acknowledged data is safe by then (logged or committed), and an import is resumable.
 * A promise rejected with no handler is logged and the process goes on: every write is a
 * transaction that rolled back, so nothing is half done. An uncaught exception may have left
 * any state behind, so it is logged and starts the orderly stop (exit code 1); a supervisor
 * starts the process again.
 */
export class GracefulShutdown {
  private started = false;
  private exitCode = 0;
  private readonly done: Promise<number>;
  private finish!: (code: number) => void;

  constructor(
    private readonly log: ShutdownLog,
    private readonly stop: () => Promise<void>,
    private readonly timeoutMs: number,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  /** Listens for the signals and the process's unhandled failures. */
  install(): this {
    for (const signal of ['SIGTERM', 'SIGINT'] as const)
      process.on(signal, () => this.begin(`${signal} received`, 0));
    process.on('unhandledRejection', (reason) => {
      this.log.error({ err: reason }, 'a promise was rejected and nothing handled it; going on');
    });
    process.on('uncaughtException', (error) => {
      this.log.fatal({ err: error }, 'uncaught exception; shutting down');
      this.begin('uncaught exception', 1);
    });
    return this;
  }

  /** Resolves with the exit code once the orderly stop has finished. */
  finished(): Promise<number> {
    return this.done;
  }

  /** Starts the orderly stop (a second call forces the exit). */
  begin(reason: string, exitCode: number): void {
    if (this.started) {
      this.log.error({ reason }, 'asked again to stop; exiting now');
      this.exit(1);
      return;
    }
    this.started = true;
    this.exitCode = exitCode;
    this.log.info({ reason, timeout_ms: this.timeoutMs }, 'shutting down');
    const force = setTimeout(() => {
      this.log.error({ timeout_ms: this.timeoutMs }, 'shutdown did not finish in time; exiting now');
      this.exit(1);
    }, this.timeoutMs);
    force.unref();
    this.stop().then(
      () => {
        clearTimeout(force);
        this.log.info({}, 'shut down');
        this.finish(this.exitCode);
      },
      (error) => {
        clearTimeout(force);
        this.log.error({ err: error }, 'shutdown failed');
        this.finish(1);
      },
    );
  }
}
