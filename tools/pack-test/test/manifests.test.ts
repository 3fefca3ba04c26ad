// What npm users see of each published package before they run a line of it: its manifest, the
// files beside it, its README. Fast checks; pack-and-install.test.ts then installs the tarballs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readReadmeExample } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { ROOT, publicPackages, workspacePackages } from '../src/workspace.js';

const REPOSITORY = 'https://github.com/mailyard/mailyard';
const LICENSE = readFileSync(join(ROOT, 'LICENSE'), 'utf8');

describe.each(publicPackages())('$manifest.name', ({ path, directory, manifest }) => {
  it('says where it comes from: repository, homepage, bugs, license, keywords', () => {
    expect(manifest.repository).toEqual({
      type: 'git',
      url: `git+${REPOSITORY}.git`,
      directory: path,
    });
    expect(manifest.homepage).toBe(`${REPOSITORY}/tree/main/${path}#readme`);
    expect(manifest.bugs).toEqual({ url: `${REPOSITORY}/issues` });
    expect(manifest.license).toBe('MIT');
    expect(manifest.keywords?.length).toBeGreaterThan(0);
    expect(manifest.engines).toEqual({ node: '>=20' });
  });

  // npm puts a LICENSE in the tarball only from the package's own directory; the copies are kept
  // the same as the root's by this check.
  it("has the repository's LICENSE beside it, word for word", () => {
    expect(readFileSync(join(directory, 'LICENSE'), 'utf8')).toBe(LICENSE);
  });

  // ESM only, one copy of every module: `default` serves import and, on Node 20.19 and later,
  // require() (Node's require of ES modules), so no user meets ERR_PACKAGE_PATH_NOT_EXPORTED and
  // no class exists twice (a dual CommonJS build would break `instanceof MailStoreError`).
  it('exports ES modules with their types under `types` and `default` only', () => {
    for (const entry of Object.values(manifest.exports ?? {}))
      expect(Object.keys(entry)).toEqual(['types', 'default']);
    expect(Object.keys(manifest.exports ?? {})).toContain('.');
  });

  it('keeps test-only tools out of what users install', () => {
    const runtime = { ...manifest.dependencies, ...manifest.peerDependencies };
    for (const tool of ['vitest', 'tsx', 'typescript', '@mailyard/test-kit'])
      if (tool !== 'vitest' || manifest.name !== '@mailyard/mailstore-conformance')
        expect(runtime).not.toHaveProperty(tool);
    // An optional peer shows as UNMET OPTIONAL DEPENDENCY in every user's `npm ls`.
    expect(manifest.peerDependenciesMeta ?? {}).toEqual({});
  });

  it('has a README whose links work on npm, that says ESM only, and installs what its example imports', () => {
    const readme = readFileSync(join(directory, 'README.md'), 'utf8');
    const relativeLinks = [...readme.matchAll(/\]\(([^)]+)\)/g)]
      .map(([, target]) => target!)
      .filter((target) => !/^(https:\/\/|#)/.test(target));
    expect(relativeLinks).toEqual([]);
    expect(readme).toContain('ESM only');
    const { source, installs } = readReadmeExample(directory, manifest.name);
    expect(installs).toContain(manifest.name);
    const imported = [...source.matchAll(/from '(@mailyard\/[^']+)'/g)].map(([, name]) => name);
    for (const name of imported) expect(installs).toContain(name);
  });
});

describe('internal dependencies', () => {
  const packages = workspacePackages();
  const versions = new Map(packages.map(({ manifest }) => [manifest.name, manifest]));

  // `*` would take any future major once published. `^x.y.z` of the workspace's own version is
  // what changesets writes when it bumps a package (updateInternalDependencies), and what npm
  // links to the workspace; a private package (never published, never bumped) is pinned.
  it.each(packages)(
    '$manifest.name depends on @mailyard packages by a real range',
    ({ manifest }) => {
      const ranges = Object.entries({
        ...manifest.dependencies,
        ...manifest.devDependencies,
        ...manifest.peerDependencies,
      }).filter(([name]) => name.startsWith('@mailyard/'));
      for (const [name, range] of ranges) {
        const dependency = versions.get(name);
        expect(dependency, `${name} is a workspace`).toBeDefined();
        const wanted = dependency!.private ? dependency!.version : `^${dependency!.version}`;
        expect(`${name}@${range}`).toBe(`${name}@${wanted}`);
      }
    },
  );

  it('are kept in step by changesets', () => {
    const config = JSON.parse(readFileSync(join(ROOT, '.changeset', 'config.json'), 'utf8')) as {
      updateInternalDependencies: string;
    };
    expect(config.updateInternalDependencies).toBe('patch');
  });
});

it('the root package.json says where the repository is', () => {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    repository?: { url: string };
  };
  expect(root.repository?.url).toBe(`git+${REPOSITORY}.git`);
});
