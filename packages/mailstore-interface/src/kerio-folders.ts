import type { FolderType, SpecialUse } from './mail-store.js';

export interface StandardFolder {
  readonly path: string;
  readonly specialUse: SpecialUse | null;
  readonly folderType: FolderType;
}

/**
 * The folders Kerio gives every mailbox (Admin Guide 7.5, 28.1), with the RFC 6154 attributes
 * IMAP clients look for: Sent Items is `\Sent`, Deleted Items `\Trash`, Junk E-mail `\Junk`.
 */
export const KERIO_STANDARD_FOLDERS: readonly StandardFolder[] = [
  { path: 'INBOX', specialUse: null, folderType: 'mail' },
  { path: 'Sent Items', specialUse: '\\Sent', folderType: 'mail' },
  { path: 'Drafts', specialUse: '\\Drafts', folderType: 'mail' },
  { path: 'Deleted Items', specialUse: '\\Trash', folderType: 'mail' },
  { path: 'Junk E-mail', specialUse: '\\Junk', folderType: 'mail' },
  { path: 'Calendar', specialUse: null, folderType: 'calendar' },
  { path: 'Contacts', specialUse: null, folderType: 'contacts' },
  { path: 'Tasks', specialUse: null, folderType: 'tasks' },
  { path: 'Notes', specialUse: null, folderType: 'notes' },
];

export const DELETED_ITEMS = 'Deleted Items';
export const JUNK_EMAIL = 'Junk E-mail';
export const SENT_ITEMS = 'Sent Items';
