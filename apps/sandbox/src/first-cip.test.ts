import { createSandbox } from "./app";
import { loadConfig } from "./config";
import { FIRST_CIP, SandboxState } from "./state";

describe("the first CIP number (PE_SANDBOX_FIRST_CIP)", () => {
  it("defaults to FIRST_CIP", () => {
    expect(loadConfig({}).firstCip).toBeUndefined();
    expect(new SandboxState([]).nextCip).toBe(FIRST_CIP);
    const sandbox = createSandbox({ expirySweepMs: 0 });
    expect(sandbox.state.nextCip).toBe(FIRST_CIP);
    sandbox.stop();
  });

  it("is read from the environment and kept by a reset", () => {
    const { firstCip } = loadConfig({ PE_SANDBOX_FIRST_CIP: "30912345" });
    expect(firstCip).toBe(30912345);
    const sandbox = createSandbox({ firstCip, expirySweepMs: 0 });
    const { state } = sandbox;
    expect(state.nextCip).toBe(30912345);
    state.nextCip += 3;
    state.reset();
    expect(state.nextCip).toBe(30912345);
    sandbox.stop();
  });

  it("refuses a value that is not a positive integer, naming the variable", () => {
    for (const bad of ["abc", "0", "1.5"])
      expect(() => loadConfig({ PE_SANDBOX_FIRST_CIP: bad })).toThrow(/PE_SANDBOX_FIRST_CIP/);
  });
});
