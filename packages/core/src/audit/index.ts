export * from "./analysis";
export * from "./audit-log";
export * from "./audit-query";
export * from "./vault-audit-log";
