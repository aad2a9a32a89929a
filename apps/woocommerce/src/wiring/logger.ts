import pino from "pino";
import { createLogger, type Logger } from "@pe-pay/engine";

/**
 * The process logger: the engine's (same redaction), writing to stdout through a buffer. A
 * synchronous write per line costs a system call on the request path (every voucher creation
 * logs one); buffered, lines go out in 4 KB writes, at least every `flushIntervalMs`, and pino
 * flushes what is left synchronously when the process exits. Only a SIGKILL can lose the last
 * second of lines.
 */
export function bufferedLogger(opts: {
  name: string;
  level: string;
  flushIntervalMs?: number;
  /** File descriptor or path; stdout by default. */
  dest?: number | string;
}): { logger: Logger; stop(): void } {
  const destination = pino.destination({ dest: opts.dest ?? 1, sync: false, minLength: 4096 });
  const logger = createLogger({ name: opts.name, level: opts.level, destination });
  const flush = () => {
    // Nothing buffered (or a flush in flight) is not an error worth a log line.
    try {
      destination.flush();
    } catch {
      /* ignored */
    }
  };
  const timer = setInterval(flush, opts.flushIntervalMs ?? 1000);
  timer.unref();
  return {
    logger,
    stop() {
      clearInterval(timer);
      try {
        destination.flushSync();
      } catch {
        /* ignored: nothing buffered */
      }
    },
  };
}
