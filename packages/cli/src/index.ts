export * from "./client";
export * from "./dotenv";
export * from "./migrate";
export * from "./sensitivity";
