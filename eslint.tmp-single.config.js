import base from "./eslint.config.js";
export default [...base, { files: ["packages/*/src/**/*.{ts,tsx}", "packages/server/test/**/*.ts", "bench/**/*.ts"], languageOptions: { parserOptions: { projectService: false, project: "./tsconfig.eslint-tmp.json", tsconfigRootDir: import.meta.dirname } } }];
