export * from "./activity";
export * from "./config-service";
export * from "./config-store";
export * from "./reads";
export * from "./shape";
export * from "./validation";
