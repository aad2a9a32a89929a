/**
 * The PagoEfectivo sandbox in a process of its own for the engine benchmarks (not a bench file
 * itself), so its CPU is not counted as the engine's. The clock offset moves with the engine's.
 */
import { startSandbox, type RunningSandbox } from "../apps/sandbox/src/index";
import { cpuMsSince, peakRssMbOfThisProcess, serveParent } from "./engine-bench-support";

const offset = { ms: 0 };
const clock = { now: () => new Date(Date.now() + offset.ms) };
let running: RunningSandbox | undefined;
let window0 = process.cpuUsage();

serveParent({
  async start() {
    running = await startSandbox({ port: 0, clock, expirySweepMs: 0 });
    return { url: running.url };
  },
  setOffset(args: { ms: number }) {
    offset.ms = args.ms;
    return {};
  },
  startWindow() {
    window0 = process.cpuUsage();
    return {};
  },
  endWindow() {
    return { cpuMs: cpuMsSince(window0) };
  },
  async close() {
    await running?.close();
    return { peakRssMb: peakRssMbOfThisProcess() };
  },
});

// A normal exit (not a signal) so that --cpu-prof can write its profile.
process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));
