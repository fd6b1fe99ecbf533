export * from "./contract";
export * from "./openapi";
export * from "./response-schemas";
export * from "./route-match";
export * from "./routes";
export * from "./schedules";
