export * from "./envelope";
export * from "./snapshot-records";
export * from "./snapshot-service";
export * from "./storage";
