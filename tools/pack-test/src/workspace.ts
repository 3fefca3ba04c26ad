import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's root directory. */
export const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly license?: string;
  readonly keywords?: readonly string[];
  readonly repository?: {
    readonly type: string;
    readonly url: string;
    readonly directory?: string;
  };
  readonly homepage?: string;
  readonly bugs?: { readonly url: string };
  readonly engines?: Readonly<Record<string, string>>;
  readonly exports?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
}

export interface WorkspacePackage {
  /** Relative to the root: `packages/mime`. */
  readonly path: string;
  readonly directory: string;
  readonly manifest: Manifest;
}

/** Every workspace of the repository (the root's `workspaces` globs are `dir/*` or a directory). */
export function workspacePackages(): WorkspacePackage[] {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  const paths = root.workspaces.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(ROOT, pattern.slice(0, -2)))
          .map((name) => `${pattern.slice(0, -2)}/${name}`)
          .sort()
      : [pattern],
  );
  return paths
    .filter((path) => existsSync(join(ROOT, path, 'package.json')))
    .map((path) => ({
      path,
      directory: join(ROOT, path),
      manifest: JSON.parse(readFileSync(join(ROOT, path, 'package.json'), 'utf8')) as Manifest,
    }));
}

/** The packages published to npm: every workspace not marked private. */
export function publicPackages(): WorkspacePackage[] {
  return workspacePackages().filter(({ manifest }) => !manifest.private);
}

/** A package and the @mailyard packages it depends on at run time, transitively. */
export function withInternalDependencies(
  names: readonly string[],
  packages: readonly WorkspacePackage[],
): string[] {
  const byName = new Map(packages.map((pkg) => [pkg.manifest.name, pkg]));
  const found = new Set<string>();
  const visit = (name: string) => {
    if (found.has(name)) return;
    const pkg = byName.get(name);
    if (!pkg) throw new Error(`${name} is not a public workspace package`);
    found.add(name);
    for (const dependency of Object.keys(pkg.manifest.dependencies ?? {}))
      if (dependency.startsWith('@mailyard/')) visit(dependency);
  };
  names.forEach(visit);
  return [...found].sort();
}
