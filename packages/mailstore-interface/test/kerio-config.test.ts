import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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

  it('makes XmlDirectory refuse a damaged users.cfg rather than start empty', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'users-cfg-')), 'users.cfg');
    writeFileSync(path, '<config><list name="User"><listitem>');
    await expect(XmlDirectory.open(path)).rejects.toThrow(KerioConfigError);
  });
});
