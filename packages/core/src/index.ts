export * from "./metadata/types";
export * from "./conditions/types";
export * from "./errors";
export * from "./metadata/storage";
