import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  KerioConfigError,
  XmlDirectory,
  formatKerioConfig,
  parseKerioConfig,
} from '../src/index.js';

describe("Kerio's configuration XML", () => {
  it('writes variables, lists and comments, and reads them back', () => {
    const xml = formatKerioConfig([
      { comment: 'The server' },
      { variable: 'Hostname', value: 'mail.example.com' },
      { variable: 'Banner', value: '<Mailyard & co>' },
      {
        list: 'Service',
        items: [
          { Name: 'smtp', Port: '25' },
          { Name: 'imap', Port: '143' },
        ],
      },
    ]);
    expect(xml).toContain('<!-- The server -->');
    expect(xml).toContain('<variable name="Hostname">mail.example.com</variable>');
    const { variables, lists } = parseKerioConfig(xml, 'mailserver.cfg');
    expect(Object.fromEntries(variables)).toEqual({
      Hostname: 'mail.example.com',
      Banner: '<Mailyard & co>',
    });
    expect(lists.get('Service')).toEqual([
      { Name: 'smtp', Port: '25' },
      { Name: 'imap', Port: '143' },
    ]);
  });

  it('refuses broken XML and files without <config>, naming the file and line', () => {
    expect(() => parseKerioConfig('<config>\n<variable name="a">x</config>', 'users.cfg')).toThrow(
      /^users\.cfg: line 2: /,
    );
    expect(() => parseKerioConfig('<settings/>', 'mailserver.cfg')).toThrow(KerioConfigError);
    expect(parseKerioConfig('<config></config>', 'empty.cfg').variables.size).toBe(0);
  });

  it.each([
    [
      'cut short',
      '<?xml version="1.0"?>\n<config>\n  <list name="User">\n    <listitem>\n      <variable name="Name">alice</variable>\n',
      'users.cfg: line 6: the file ends inside <listitem> inside <list> inside <config>: expected </listitem>, then </list>, then </config> (is the file cut short?)',
    ],
    [
      'cut short after its lists',
      '<config>\n  <list name="User">\n  </list>\n',
      'users.cfg: line 4: the file ends before <config> (line 1) is closed: expected </config> (is the file cut short?)',
    ],
    ['empty', '', 'users.cfg: line 1: no element in the file: expected <config>'],
    ['not XML', 'alice:secret\n', 'users.cfg: line 1: expected an element (<config>), found "a"'],
    [
      'with a bare ampersand',
      '<config>\n<variable name="FullName">Smith & Sons</variable>\n</config>',
      'users.cfg: line 2: a "&" that starts no entity: write "&amp;" for "&"',
    ],
    [
      'with a list without its name',
      '<config>\n  <list name="Domain">\n  </list>\n  <list>\n  </list>\n</config>',
      'users.cfg: line 4: <list> without a name: expected <list name="...">',
    ],
    [
      'with a variable without its name',
      '<config>\n  <list name="User">\n    <listitem>\n      <variable>alice</variable>\n    </listitem>\n  </list>\n</config>',
      'users.cfg: line 4: <variable> without a name: expected <variable name="...">',
    ],
    [
      'with text where items belong',
      '<config>\n  <list name="User">\n    <!-- alice -->\n    alice\n  </list>\n</config>',
      'users.cfg: line 4: expected <listitem> in <list name="User">, found the text "alice"',
    ],
    [
      'with an element of another name',
      '<config>\n  <list name="User">\n    <user>alice</user>\n  </list>\n</config>',
      'users.cfg: line 3: expected <listitem> in <list name="User">, found <user>',
    ],
    [
      'with markup in a value',
      '<config>\n  <variable name="Hostname"><b>mail</b></variable>\n</config>',
      'users.cfg: line 2: expected text in <variable name="Hostname">, found <b>',
    ],
    [
      'with another root',
      '<?xml version="1.0"?>\n<users/>',
      'users.cfg: line 2: expected <config> at the top of the file, found <users>',
    ],
  ])('refuses a file %s, saying at which line and what it expected', (_, xml, message) => {
    expect(() => parseKerioConfig(xml, 'users.cfg')).toThrow(new KerioConfigError(message));
  });

  it('reads comments, entities and white space around what it reads as it is written', () => {
    const { variables, lists } = parseKerioConfig(
      '<?xml version="1.0"?>\n<!-- top -->\n<config>\n  <!-- a -->\n  <variable name="Banner"> a &amp; b </variable>\n  <variable name="Empty"/>\n  <list name="Empty"></list>\n  <list name="U"><listitem><!-- b --><variable name="N">x</variable></listitem></list>\n</config>\n',
      'mailserver.cfg',
    );
    expect(Object.fromEntries(variables)).toEqual({ Banner: ' a & b ', Empty: '' });
    expect(Object.fromEntries(lists)).toEqual({ Empty: [], U: [{ N: 'x' }] });
  });

  it('makes XmlDirectory refuse a damaged users.cfg rather than start empty', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'users-cfg-'));
    onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
    const path = join(folder, 'users.cfg');
    writeFileSync(path, '<config><list name="User"><listitem>');
    await expect(XmlDirectory.open(path)).rejects.toThrow(KerioConfigError);
  });
});
