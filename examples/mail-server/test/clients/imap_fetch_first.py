"""Logs in with Python's imaplib over IMAPS (verifying the server's certificate), selects INBOX and
fetches the first message's BODY[]; prints JSON with each command's status and response text,
whatever it is (OK, NO, BAD), for a test that expects the server to be unable to answer."""
import argparse, imaplib, json, ssl

parser = argparse.ArgumentParser()
parser.add_argument('--port', type=int, required=True)
parser.add_argument('--cafile', required=True)
parser.add_argument('--user', required=True)
parser.add_argument('--password', required=True)
args = parser.parse_args()

def text(data):
    return ' '.join(d.decode('latin1') if isinstance(d, bytes) else repr(d) for d in data or [] if not isinstance(d, tuple))

imap = imaplib.IMAP4_SSL('127.0.0.1', args.port, ssl_context=ssl.create_default_context(cafile=args.cafile), timeout=30)
imap.login(args.user, args.password)
result = {}
typ, data = imap.select('INBOX')
result['select'] = [typ, text(data)]
if typ == 'OK':
    typ, data = imap.fetch('1', '(BODY[])')
    result['fetch'] = [typ, text(data)]
imap.logout()
print(json.dumps(result))
