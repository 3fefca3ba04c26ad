import { parseUsersCfg } from '@mailyard/mailstore-interface';
import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { PostgresDirectory } from '../src/index.js';
import { until } from './wait-until.js';

/** A users.cfg as Kerio writes it: one domain, one user with a password hash, an alias. */
const USERS_CFG = `<?xml version="1.0" encoding="utf-8"?>
<config>
  <list name="Domain">
    <listitem>
      <variable name="Name">example.test</variable>
      <variable name="Primary">1</variable>
    </listitem>
  </list>
  <list name="User">
    <listitem>
      <variable name="Name">alice</variable>
      <variable name="Domain">example.test</variable>
      <variable name="FullName">Alice</variable>
    </listitem>
  </list>
  <list name="Alias">
    <listitem>
      <variable name="Domain">example.test</variable>
      <variable name="Name">info</variable>
      <variable name="To">alice@example.test</variable>
    </listitem>
  </list>
</config>
`;

describeWithPostgres('PostgresDirectory: users and domains shared by the nodes', () => {
  const server = new PostgresServer();
  let admin: postgres.Sql;
  let schemas = 0;
  const opened: PostgresDirectory[] = [];
  const open = async (
    schema: string,
    extra: Partial<Parameters<typeof PostgresDirectory.open>[0]> = {},
  ) => {
    const directory = await PostgresDirectory.open({
      url: server.url(),
      schema,
      loginCache: false,
      ...extra,
    });
    opened.push(directory);
    return directory;
  };

  beforeAll(async () => {
    await server.start();
    admin = postgres(server.url(), { onnotice: () => {} });
  }, 60_000);
  afterEach(async () => {
    for (const directory of opened.splice(0)) await directory.close();
  });
  afterAll(async () => {
    await admin?.end();
    await server.close();
  });

  it('imports a users.cfg into an empty directory, once, as rows of tables', async () => {
    const schema = `directory_${++schemas}`;
    const data = parseUsersCfg(USERS_CFG);
    const [a, b] = await Promise.all([
      open(schema, { importFrom: data }),
      open(schema, { importFrom: data }),
    ]);
    for (const directory of [a, b]) {
      expect(await directory.localDomain('EXAMPLE.test')).toBe('example.test');
      expect((await directory.findUser('alice@example.test'))?.fullName).toBe('Alice');
      expect((await directory.resolveRecipient('info@example.test')).local).toBe(true);
    }
    const users = await admin`SELECT id FROM ${admin(schema)}.directory_users`;
    expect(users.map((row) => row.id)).toEqual(['alice@example.test']);
    const aliases =
      await admin`SELECT domain, pattern, target FROM ${admin(schema)}.directory_aliases`;
    expect(aliases).toHaveLength(1);
    // A later import finds the directory filled and changes nothing.
    await a.addUser('bob@example.test', { password: 'bob-secret-1' });
    const c = await open(schema, { importFrom: data });
    expect(await c.findUser('bob@example.test')).not.toBeNull();
  });

  it('a user added on one node logs in on the other, and one removed there is gone here', async () => {
    const schema = `directory_${++schemas}`;
    const a = await open(schema);
    const b = await open(schema);
    await a.addDomain('example.test');
    await a.addUser('carol@example.test', { password: 'carol-secret-1' });
    await until(
      async () => (await b.verifyPassword('carol@example.test', 'carol-secret-1')) !== null,
      'the user on node B',
    );
    expect(await b.verifyPassword('carol@example.test', 'wrong')).toBeNull();
    // Never a password in the database: hashes only.
    const [row] = await admin<{ record: string }[]>`
      SELECT record FROM ${admin(schema)}.directory_users`;
    expect(row!.record).not.toContain('carol-secret-1');
    await b.removeUser('carol@example.test');
    await until(async () => (await a.findUser('carol@example.test')) === null, 'the removal on A');
  });

  it('keeps both changes when two nodes change two users at once', async () => {
    const schema = `directory_${++schemas}`;
    const a = await open(schema);
    await a.addDomain('example.test');
    const b = await open(schema);
    await Promise.all([
      a.addUser('dave@example.test', { password: 'dave-secret-1' }),
      b.addUser('erin@example.test', { password: 'erin-secret-1' }),
    ]);
    const fresh = await open(schema);
    expect((await fresh.users()).map((user) => user.id).sort()).toEqual([
      'dave@example.test',
      'erin@example.test',
    ]);
  });

  it('holds changes back until save() with deferWrites, as users.cfg does', async () => {
    const schema = `directory_${++schemas}`;
    const a = await open(schema, { deferWrites: true });
    await a.addDomain('example.test');
    expect(a.hasUnsavedChanges).toBe(true);
    expect(await admin`SELECT name FROM ${admin(schema)}.directory_domains`).toHaveLength(0);
    await a.save();
    expect(a.hasUnsavedChanges).toBe(false);
    expect(await admin`SELECT name FROM ${admin(schema)}.directory_domains`).toHaveLength(1);
  });
});
