import { ok } from "./common";
import { textType } from "./common";

/** Single line of text, 255 characters unless validation.maxLength says otherwise. */
export const textField = textType("text", 255, (s) => ok(s));
