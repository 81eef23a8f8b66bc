export * from "./metadata/types";
export * from "./conditions";
export * from "./errors";
export * from "./metadata/storage";
export * from "./money";
export * from "./field-types";
