export * from "./contract";
export * from "./function-name";
export * from "./handlers";
export * from "./openapi";
export * from "./response-schemas";
export * from "./route-match";
export * from "./routes";
export * from "./schedules";
