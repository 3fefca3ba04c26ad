"""Moves (or with --copy, copies) the message with a Message-ID from one mailbox to another with
Python's imaplib over IMAPS, verifying the server's certificate: UID SEARCH HEADER Message-ID,
then UID MOVE (RFC 6851) or UID COPY. Prints JSON: the tagged answer's status and text."""
import argparse, imaplib, json, ssl

parser = argparse.ArgumentParser()
parser.add_argument('--port', type=int, required=True)
parser.add_argument('--cafile', required=True)
parser.add_argument('--user', required=True)
parser.add_argument('--password', required=True)
parser.add_argument('--source', required=True)
parser.add_argument('--destination', required=True)
parser.add_argument('--message-id', required=True)
parser.add_argument('--copy', action='store_true')
args = parser.parse_args()

quote = lambda name: '"%s"' % name if ' ' in name else name
context = ssl.create_default_context(cafile=args.cafile)
imap = imaplib.IMAP4_SSL('127.0.0.1', args.port, ssl_context=context, timeout=20)
imap.login(args.user, args.password)
typ, data = imap.select(quote(args.source))
assert typ == 'OK', data
typ, data = imap.uid('SEARCH', 'HEADER', 'Message-ID', '"<%s>"' % args.message_id)
assert typ == 'OK' and data[0], (typ, data)
uids = data[0].decode().split()
typ, data = imap.uid('COPY' if args.copy else 'MOVE', ','.join(uids), quote(args.destination))
print(json.dumps({'status': typ, 'text': [d.decode() if isinstance(d, bytes) else str(d) for d in data]}))
imap.logout()
