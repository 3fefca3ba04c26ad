"""Sets up, or reads, a user's folders with Python's imaplib over IMAPS (verifying the server's
certificate), for the backup and restore test. --setup creates the folder Projects, copies
INBOX's first message there, and sets flags (\\Flagged on INBOX's odd UIDs, \\Seen and the
keyword Kept on the copy). Without it, prints JSON: per selectable folder, its UIDVALIDITY and
per message its UID, flags and Message-ID."""
import argparse, imaplib, json, re, ssl

parser = argparse.ArgumentParser()
parser.add_argument('--port', type=int, required=True)
parser.add_argument('--cafile', required=True)
parser.add_argument('--user', required=True)
parser.add_argument('--password', required=True)
parser.add_argument('--setup', action='store_true')
args = parser.parse_args()

imap = imaplib.IMAP4_SSL('127.0.0.1', args.port,
                         ssl_context=ssl.create_default_context(cafile=args.cafile), timeout=20)
imap.login(args.user, args.password)

def uids():
    typ, data = imap.uid('SEARCH', None, 'ALL')
    return [int(u) for u in data[0].split()]

if args.setup:
    imap.create('Projects')
    imap.select('INBOX')
    all_uids = uids()
    imap.uid('COPY', str(all_uids[0]), 'Projects')
    for uid in all_uids:
        if uid % 2 == 1:
            imap.uid('STORE', str(uid), '+FLAGS', '(\\Flagged)')
    imap.select('Projects')
    imap.uid('STORE', '1:*', '+FLAGS', '(\\Seen Kept)')
    imap.logout()
    print(json.dumps({'ok': True}))
    raise SystemExit(0)

typ, listing = imap.list()
folders = {}
for line in listing:
    match = re.match(rb'\(([^)]*)\) "([^"]*)" (.*)', line)
    if not match or b'\\Noselect' in match.group(1):
        continue
    name = match.group(3).decode()
    typ, data = imap.select(name, readonly=True)
    uidvalidity = int(re.search(rb'\d+', imap.response('UIDVALIDITY')[1][0]).group())
    messages = []
    if int(data[0]) > 0:
        typ, data = imap.uid('FETCH', '1:*', '(UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])')
        for item in data:
            if not isinstance(item, tuple):
                continue
            head, header = item
            uid = int(re.search(rb'UID (\d+)', head).group(1))
            flags = re.search(rb'FLAGS \(([^)]*)\)', head).group(1).decode().split()
            message_id = header.decode('latin1').split(':', 1)[1].strip() if b':' in header else ''
            messages.append({'uid': uid, 'flags': sorted(f for f in flags if f != '\\Recent'),
                             'messageId': message_id})
    folders[name.strip('"')] = {'uidvalidity': uidvalidity, 'messages': messages}
imap.logout()
print(json.dumps(folders))
