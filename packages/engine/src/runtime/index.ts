export { nudger } from "./nudge";
export { periodic, type PeriodicLogger, type PeriodicTask } from "./periodic";
