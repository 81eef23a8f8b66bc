import { scaledType } from "./decimal";

/** 12.5 means 12.5 %. Stored like decimal. */
export const percentField = scaledType("percent", "%");
