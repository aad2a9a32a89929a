/** One Jest run covers every package and app; TypeScript is transformed by SWC to CommonJS. */
const swc = [
  "@swc/jest",
  {
    jsc: {
      target: "es2023",
      parser: { syntax: "typescript" },
      // The same JSX runtime as tsconfig's "jsx": "react-jsx" (what tsx uses at run time).
      transform: { react: { runtime: "automatic" } },
    },
    module: { type: "commonjs" },
  },
];
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/packages", "<rootDir>/apps", "<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.(t|j)sx?$": swc, "^.+\\.mjs$": swc },
  transformIgnorePatterns: [
    "/node_modules/(?!(\\.pnpm/[^/]+/node_modules/)?(rettime|@open-draft/deferred-promise|until-async|zxing-wasm|@zxing|nanoid)/)",
  ],
  moduleFileExtensions: ["ts", "tsx", "js", "mjs", "cjs", "json"],
  testTimeout: 30000,
};
