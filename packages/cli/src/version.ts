/** The CLI's version (kept equal to package.json's by `version.test.ts`). */
export const version = '0.1.0'
