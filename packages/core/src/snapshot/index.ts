export * from "./envelope";
export * from "./model";
export { PLAN_ID_PATTERN, type RestorePlanItem, type RestoreReport } from "./restore";
export * from "./snapshot-records";
export * from "./snapshot-service";
export * from "./storage";
