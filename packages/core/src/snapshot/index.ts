export * from "./envelope";
export * from "./snapshot-service";
export * from "./storage";
