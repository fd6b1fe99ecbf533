export * from "./authorizer";
export * from "./context";
export * from "./events";
export * from "./http";
export * from "./invocation";
export * from "./jobs";
