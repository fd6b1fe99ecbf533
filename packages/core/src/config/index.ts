export * from "./config-service";
export * from "./validation";
