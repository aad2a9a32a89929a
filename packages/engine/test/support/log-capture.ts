import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/index";

/** A real (redacting) pino logger whose lines are kept for assertions. */
export function captureLogs(name = "capture"): {
  logger: Logger;
  lines: () => Array<Record<string, unknown> & { msg: string; level: number }>;
  text: () => string;
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString("utf8"));
      cb();
    },
  });
  const logger = createLogger({ name, level: "info", destination });
  const text = () => chunks.join("");
  return {
    logger,
    text,
    lines: () =>
      text()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string; level: number }),
  };
}
