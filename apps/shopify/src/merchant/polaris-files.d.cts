/** Where Polaris's own stylesheet lives in the installed package, and that package's version. */
declare const files: { stylesheetPath: string; version: string };
export = files;
