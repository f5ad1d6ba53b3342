// Entry point: filled in by the package's modules.
export {}
