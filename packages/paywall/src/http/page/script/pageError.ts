// The script's own failures: a sentence for the person, shown as it is. They never leave the page,
// so they are plain `Error`s (the package's `BaseError` would pull `@tollgate/core` into the
// script, which must stay small and self-contained).

/** A failure the page explains in its own words. */
export class PageError extends Error {
  override name = 'PageError' as const
}
