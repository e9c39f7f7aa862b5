/** Semver of the interpreter; OTA compares a model's ops against SUPPORTED_OPS of a device's version. */
export const INTERPRETER_VERSION = '0.1.0';
