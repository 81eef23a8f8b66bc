import base from "./eslint.config.js";
import reactHooks from "eslint-plugin-react-hooks";
const off = Object.fromEntries(Object.keys(reactHooks.configs.flat.recommended.rules).filter((r) => !["react-hooks/rules-of-hooks","react-hooks/exhaustive-deps"].includes(r)).map((r) => [r, "off"]));
export default [...base, { files: ["packages/web/**/*.{ts,tsx}"], rules: off }];
