export * from "./credential-rotation";
export * from "./generator";
export * from "./rotation-service";
export * from "./rotation-store";
