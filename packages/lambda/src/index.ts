export * from "./authorizer";
export * from "./context";
export * from "./http";
