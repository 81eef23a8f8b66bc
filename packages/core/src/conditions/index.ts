export * from "./types";
export * from "./schema";
export * from "./paths";
export * from "./dates";
export * from "./resolve";
export * from "./validate";
export * from "./evaluate";
export * from "./sqlite-functions";
