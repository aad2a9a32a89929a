// CommonJS on purpose: a .cjs module has its own `require`, so it can find Polaris's files from
// the app's node_modules both under tsx (ESM) and under Jest (CommonJS), where `src/` .ts files
// may use neither `import.meta` nor `__dirname`.
"use strict";

module.exports = {
  stylesheetPath: require.resolve("@shopify/polaris/build/esm/styles.css"),
  version: require("@shopify/polaris/package.json").version,
};
