"""Reads a mailbox (INBOX by default; --create makes it first) with Python's imaplib over TLS (IMAPS, or STARTTLS on the plain port), verifying
the server's certificate, and prints JSON: UIDVALIDITY, and per message its UID, flags and
bytes (base64). BODY.PEEK[] leaves \\Seen alone; with --read, BODY[] sets it (RFC 9051 6.4.5),
and the flags are fetched again afterwards."""
import argparse, base64, imaplib, json, re, ssl

parser = argparse.ArgumentParser()
parser.add_argument('--port', type=int, required=True)
parser.add_argument('--cafile', required=True)
parser.add_argument('--user', required=True)
parser.add_argument('--password', required=True)
parser.add_argument('--starttls', action='store_true')
parser.add_argument('--read', action='store_true')
parser.add_argument('--mailbox', default='INBOX')
parser.add_argument('--create', action='store_true')
args = parser.parse_args()

context = ssl.create_default_context(cafile=args.cafile)
if args.starttls:
    imap = imaplib.IMAP4('127.0.0.1', args.port, timeout=20)
    imap.starttls(context)
else:
    imap = imaplib.IMAP4_SSL('127.0.0.1', args.port, ssl_context=context, timeout=20)
imap.login(args.user, args.password)
if args.create:
    typ, data = imap.create(args.mailbox)
    assert typ == 'OK', data
typ, data = imap.select(args.mailbox)
assert typ == 'OK', data
uidvalidity = int(re.search(rb'\d+', imap.response('UIDVALIDITY')[1][0]).group())
messages = []
if int(data[0]) > 0:
    part = 'BODY[]' if args.read else 'BODY.PEEK[]'
    typ, data = imap.uid('FETCH', '1:*', f'(UID FLAGS {part})')
    for item in data:
        if not isinstance(item, tuple):
            continue
        head, content = item
        uid = int(re.search(rb'UID (\d+)', head).group(1))
        flags = re.search(rb'FLAGS \(([^)]*)\)', head)
        messages.append({'uid': uid, 'flags': flags.group(1).decode().split() if flags else None,
                         'content': base64.b64encode(content).decode()})
    typ, data = imap.uid('FETCH', '1:*', '(FLAGS)')
    after = {int(re.search(rb'UID (\d+)', d).group(1)): re.search(rb'FLAGS \(([^)]*)\)', d).group(1).decode().split()
             for d in data if isinstance(d, bytes)}
    for m in messages:
        m['flagsAfter'] = after.get(m['uid'])
imap.logout()
print(json.dumps({'uidvalidity': uidvalidity, 'messages': messages}))
