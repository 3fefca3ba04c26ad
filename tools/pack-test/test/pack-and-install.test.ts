// The packages as npm users get them: `npm pack` every public package, install each one's
// tarball (and the tarballs of the @mailyard packages it depends on; third-party dependencies come
// from the registry) into a fresh project of its own outside the repository — no workspace, no
// symlink — and run its README example there under plain node: exit code 0 and what the README
// promises. A test inside vitest against the source would not see a missing file in the
// tarball, a dependency declared wrong, or a program that never ends (exit code 13).
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { expectReadmeOutput, readReadmeExample } from '@mailyard/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnvironment, npm, run } from '../src/npm.js';
import { toJavaScript } from '../src/readme-script.js';
import { ROOT, publicPackages, withInternalDependencies } from '../src/workspace.js';

const packages = publicPackages();
const work = mkdtempSync(join(tmpdir(), 'mailyard-pack-test-'));
const tarballs = new Map<string, string>();
const packedFiles = new Map<string, string[]>();

beforeAll(async () => {
  const destination = join(work, 'tarballs');
  mkdirSync(destination);
  const workspaces = packages.flatMap(({ manifest }) => ['--workspace', manifest.name]);
  const { stdout } = await npm(
    ['pack', '--json', '--pack-destination', destination, ...workspaces],
    ROOT,
  );
  const packed = JSON.parse(stdout) as {
    name: string;
    filename: string;
    files: { path: string }[];
  }[];
  for (const { name, filename, files } of packed) {
    tarballs.set(name, join(destination, filename));
    packedFiles.set(name, files.map(({ path }) => path).sort());
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The version of a third-party package the repository itself installed (the npm cache has it). */
function repositoryVersion(name: string): string {
  const manifest = join(ROOT, 'node_modules', name, 'package.json');
  return `${name}@${(JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version}`;
}

interface ListedPackage {
  readonly version?: string;
  readonly resolved?: string;
  readonly missing?: boolean;
  readonly invalid?: string;
  readonly dependencies?: Record<string, ListedPackage>;
}

/** Every @mailyard package of an `npm ls --all --json` tree, with where it sits. */
function listedMailyardPackages(tree: ListedPackage): [string, ListedPackage][] {
  const found: [string, ListedPackage][] = [];
  const walk = (node: ListedPackage) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (name.startsWith('@mailyard/')) found.push([name, child]);
      walk(child);
    }
  };
  walk(tree);
  return found;
}

describe.each(packages)('$manifest.name', ({ directory, manifest }) => {
  const project = join(work, 'projects', basename(directory));
  const example = readReadmeExample(directory, manifest.name);
  // The conformance kit's example is a test file: its user runs it with vitest, its peer.
  const runsUnderVitest = manifest.peerDependencies?.vitest !== undefined;

  it('packs its LICENSE, README, package.json and built dist, and nothing else', () => {
    const files = packedFiles.get(manifest.name) ?? [];
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts']));
    expect(
      files.filter((path) => !/^(LICENSE|README\.md|package\.json|dist\/.+)$/.test(path)),
    ).toEqual([]);
  });

  it('installs from its tarball as its README says, alone, in a fresh project', async () => {
    mkdirSync(join(project, 'tmp'), { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: `readme-${basename(directory)}`, private: true, type: 'module' }),
    );
    const ours = withInternalDependencies(
      example.installs.filter((name) => name.startsWith('@mailyard/')),
      packages,
    );
    const theirs = example.installs.filter((name) => !name.startsWith('@mailyard/'));
    await npm(
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        ...ours.map((name) => tarballs.get(name)!),
        ...theirs.map(repositoryVersion),
      ],
      project,
    );

    const listing = await run('npm', ['ls', '--all', '--json'], { cwd: project });
    const installed = listedMailyardPackages(JSON.parse(listing.stdout) as ListedPackage);
    expect(installed.map(([name]) => name)).toEqual(expect.arrayContaining(ours));
    for (const [name, node] of installed) {
      // Deduplicated entries carry only their version; the top-level ones say where they came from.
      if (node.resolved !== undefined) expect(node.resolved, name).toMatch(/^file:.*\.tgz$/);
      expect(node.version, name).toBe(manifest.version);
      expect(node.missing ?? node.invalid, name).toBeUndefined();
      for (const [dependency, child] of Object.entries(node.dependencies ?? {}))
        expect(child.version, `${name} needs ${dependency}`).toBeDefined();
    }
    for (const name of ours)
      expect(lstatSync(join(project, 'node_modules', name)).isSymbolicLink(), name).toBe(false);
    // With nothing but our packages installed, npm ls has nothing to say: no UNMET (OPTIONAL)
    // DEPENDENCY, nothing invalid or extraneous.
    if (theirs.length === 0) {
      const tree = await run('npm', ['ls', '--all'], { cwd: project });
      expect(tree.stdout + tree.stderr).not.toMatch(/UNMET|invalid|extraneous|missing/i);
      expect(tree.code).toBe(0);
    }
  });

  const runExample = async (): Promise<{ code: number; stdout: string; stderr: string }> => {
    const env = cleanEnvironment({ TMPDIR: join(project, 'tmp') });
    if (!runsUnderVitest) {
      writeFileSync(join(project, 'readme-example.mjs'), toJavaScript(example.source));
      return run(process.execPath, ['readme-example.mjs'], { cwd: project, env });
    }
    mkdirSync(join(project, 'test'), { recursive: true });
    writeFileSync(join(project, 'test', 'readme-example.test.ts'), example.source);
    const vitest = join('node_modules', 'vitest', 'vitest.mjs');
    return run(process.execPath, [vitest, 'run'], { cwd: project, env });
  };

  it(`runs its README example under plain node${runsUnderVitest ? ' (node vitest run)' : ''}`, async () => {
    const result = await runExample();
    if (runsUnderVitest) {
      const output = stripVTControlCharacters(result.stdout);
      expect(result.code, output + result.stderr).toBe(0);
      expect(output).toMatch(/Tests\s+\d+ passed \(\d+\)/);
      expect(output).not.toMatch(/failed/);
      return;
    }
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expectReadmeOutput(manifest.name, result.stdout.split('\n').slice(0, -1));
  });
});

// ESM only, one copy: require() (Node 20.19 and later) hands out the very module import does, so
// a MailStoreError thrown by one is an instanceof the other's class. Older Node 20 releases
// answer require() with ERR_REQUIRE_ESM, whose message says to use import() (as the READMEs do).
it('require() and import() give CommonJS users the same single copy of a package', async () => {
  const project = join(work, 'projects', 'mailstore-interface');
  writeFileSync(
    join(project, 'require-check.cjs'),
    [
      'let required;',
      "try { required = require('@mailyard/mailstore-interface'); }",
      'catch (error) { console.log(error.code); process.exit(0); }',
      "import('@mailyard/mailstore-interface').then((imported) =>",
      '  console.log(required.MailStoreError === imported.MailStoreError));',
    ].join('\n'),
  );
  const result = await run(process.execPath, ['require-check.cjs'], { cwd: project });
  const requiresEsm = (process.features as { require_module?: boolean }).require_module === true;
  expect(result).toEqual({
    code: 0,
    stdout: requiresEsm ? 'true\n' : 'ERR_REQUIRE_ESM\n',
    stderr: '',
  });
});
