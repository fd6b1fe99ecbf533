export * from "./bundling";
export * from "./function-catalogue";
