import type { SieveExtension } from '../compiler/definitions.js';
import { ExtensionRegistry } from '../compiler/registry.js';
import { comparatorAsciiNumeric } from './comparators.js';
import { comparatorUnicodeCasemap } from './unicode-casemap.js';
import { comparatorAsciiCasemap, comparatorOctet, core, envelope } from './core.js';
import { encodedCharacter } from './encoded-character.js';
import { fileintoExtension } from './fileinto.js';
import { ereject, reject } from './reject.js';
import { regex } from './regex.js';
import { editheader } from './editheader.js';
import { enotify } from './enotify.js';
import { mboxmetadata, servermetadata } from './metadata.js';
import { specialUse } from './special-use.js';
import { mailboxid } from './mailboxid.js';
import { redirectDeliverBy, redirectDsn } from './redirect-dsn.js';
import { extlists } from './extlists.js';
import { include } from './include.js';
import { fcc } from './fcc.js';
import { extracttext, foreverypart } from './foreverypart.js';
import { mime } from './mime.js';
import { relational } from './relational.js';
import { variables } from './variables.js';
import { vacation, vacationSeconds } from './vacation.js';
import { copy } from './copy.js';
import { imap4flags } from './imap4flags.js';
import { mailbox } from './mailbox.js';
import { subaddress } from './subaddress.js';
import { environment } from './environment.js';
import { ihave } from './ihave.js';
import { body } from './body.js';
import { date } from './date.js';
import { index } from './index-extension.js';
import { duplicate } from './duplicate.js';
import { spamtest, spamtestplus, virustest } from './spamtest.js';

/** Every extension this package implements, the core first. */
export const STANDARD_EXTENSIONS: readonly SieveExtension[] = [
  core,
  comparatorOctet,
  comparatorAsciiCasemap,
  comparatorAsciiNumeric,
  comparatorUnicodeCasemap,
  envelope,
  fileintoExtension,
  reject,
  ereject,
  encodedCharacter,
  variables,
  relational,
  vacation,
  vacationSeconds,
  copy,
  imap4flags,
  mailbox,
  subaddress,
  environment,
  ihave,
  body,
  date,
  index,
  duplicate,
  spamtest,
  spamtestplus,
  virustest,
  regex,
  editheader,
  enotify,
  mboxmetadata,
  servermetadata,
  specialUse,
  mailboxid,
  redirectDsn,
  redirectDeliverBy,
  extlists,
  include,
  fcc,
  foreverypart,
  extracttext,
  mime,
];

/** A registry of every standard extension, shared (registries are immutable). */
export const standardRegistry: ExtensionRegistry = new ExtensionRegistry(STANDARD_EXTENSIONS);
