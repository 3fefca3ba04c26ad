/**
 * What each package's README example prints, line by line (a pattern where a line varies from
 * run to run). Read by the package's own README test, which runs the example against the source,
 * and by the pack-and-install test, which runs it under plain node against the packed tarball:
 * one promise, checked both ways.
 */
export declare const README_OUTPUTS: Readonly<Record<string, readonly (string | RegExp)[]>>;
