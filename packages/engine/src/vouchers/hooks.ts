/**
 * Named points inside the multi-step use cases (create, pay, expire, cancel). Production passes
 * nothing; the crash tests inject a hook that kills the process at one step, to prove that a
 * fresh run completes the flow without losing or doubling anything.
 */
export type EngineStep =
  | "create.recorded"
  | "create.cip_created"
  | "create.done"
  | "pay.stored"
  | "pay.applied"
  | "expire.claimed"
  | "expire.deleted"
  | "expire.done"
  | "cancel.deleted";

export type StepHook = (step: EngineStep) => void | Promise<void>;
