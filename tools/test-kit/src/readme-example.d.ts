export interface ReadmeExample {
  /** The first TypeScript block of the README: the example users paste. */
  readonly source: string;
  /** The packages the README's `npm install` lines name (flags and comments left out). */
  readonly installs: readonly string[];
}
/** A package README's example and what it says to install for it. */
export declare function readReadmeExample(
  packageDirectory: string,
  packageName: string,
): ReadmeExample;
/**
 * Runs the first TypeScript example of a package's README against the package's source, the
 * way a user would paste it, and returns the lines it printed with console.log (formatted as
 * console.log formats them). README examples are code users copy: a test that runs them keeps
 * them true. The pack-and-install test (tools/pack-test) runs the same examples under plain node
 * against the packed tarballs.
 */
export declare function runReadmeExample(
  packageDirectory: string,
  packageName: string,
): Promise<string[]>;
/** Checks what a README example printed against what its README promises (readme-outputs.ts). */
export declare function expectReadmeOutput(packageName: string, printed: readonly string[]): void;
