export * from "./store";
export * from "./two-tier-cache";
