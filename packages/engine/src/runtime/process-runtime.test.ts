import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backgroundWork } from "./background";
import { pagoEfectivoBaseUrls, openAppStorage } from "./process-context";
import { stopOnSignals } from "./shutdown";
import type { PeriodicTask } from "./periodic";

const quietLogger = () =>
  ({ info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() }) as never;

describe("pagoEfectivoBaseUrls", () => {
  it("points an unconfigured production at an address that cannot resolve", () => {
    expect(pagoEfectivoBaseUrls({ sandbox: "http://s" })).toEqual({
      sandbox: "http://s",
      production: "https://production-api-not-configured.invalid",
    });
    expect(pagoEfectivoBaseUrls({ sandbox: "http://s", production: "https://p" }).production).toBe(
      "https://p",
    );
  });
});

describe("openAppStorage", () => {
  it("opens and migrates a local database and generates a key under .data/<app>", async () => {
    const dir = mkdtempSync(join(tmpdir(), "app-storage-"));
    try {
      const { db, keyring, ownsDb } = await openAppStorage({
        app: "demo",
        dataDir: dir,
        logger: quietLogger(),
      });
      expect(ownsDb).toBe(true);
      expect(keyring).toBeDefined();
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("backgroundWork", () => {
  const fakes = () => {
    const calls: string[] = [];
    const task = (name: string): PeriodicTask => ({
      start: () => calls.push(`${name}.start`),
      stop: async () => {
        calls.push(`${name}.stop`);
      },
      runNow: async () => {},
    });
    let rounds = 0;
    const deps = {
      engine: {
        start: () => calls.push("engine.start"),
        stop: async () => {
          calls.push("engine.stop");
        },
      },
      dispatcher: {
        start: (ms: number) => calls.push(`dispatcher.start(${ms})`),
        stop: async () => {
          calls.push("dispatcher.stop");
        },
        runOnce: async () => {
          rounds += 1;
          return { more: rounds < 3 };
        },
      },
      outboxIntervalMs: 500,
      tasks: [task("a"), task("b")],
      logger: quietLogger(),
    };
    return { calls, deps, rounds: () => rounds };
  };

  it("starts and stops the engine, the dispatcher and every task", async () => {
    const { calls, deps } = fakes();
    const bg = backgroundWork(deps);
    bg.start();
    expect(calls).toEqual(["engine.start", "dispatcher.start(500)", "a.start", "b.start"]);
    await bg.stop();
    expect(calls.slice(4).sort()).toEqual(["a.stop", "b.stop", "dispatcher.stop", "engine.stop"]);
  });

  it("a nudge runs outbox rounds until one reports nothing more to do", async () => {
    const { deps, rounds } = fakes();
    const bg = backgroundWork(deps);
    bg.nudgeOutbox();
    await new Promise((r) => setImmediate(r));
    await bg.stop();
    expect(rounds()).toBe(3);
  });
});

describe("stopOnSignals", () => {
  const setup = (close: () => Promise<void>) => {
    const listeners = new Map<string, () => void>();
    const exit = jest.fn();
    const logger = quietLogger();
    stopOnSignals({
      close,
      logger,
      timeoutMs: 60_000,
      exit,
      on: (signal, listener) => listeners.set(signal, listener),
    });
    return { listeners, exit, logger };
  };

  it("closes once on SIGTERM or SIGINT and exits 0", async () => {
    const close = jest.fn(async () => {});
    const { listeners, exit } = setup(close);
    expect([...listeners.keys()].sort()).toEqual(["SIGINT", "SIGTERM"]);
    listeners.get("SIGTERM")!();
    listeners.get("SIGINT")!();
    await new Promise((r) => setImmediate(r));
    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it("exits 1 when closing fails", async () => {
    const { listeners, exit, logger } = setup(async () => {
      throw new Error("stuck");
    });
    listeners.get("SIGINT")!();
    await new Promise((r) => setImmediate(r));
    expect(exit).toHaveBeenCalledWith(1);
    expect((logger as unknown as { error: jest.Mock }).error).toHaveBeenCalledWith(
      { err: "stuck" },
      "shutdown failed",
    );
  });
});
