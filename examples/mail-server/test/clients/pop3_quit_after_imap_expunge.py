"""Logs in to POP3 (POP3S) with poplib and, while that session holds its snapshot, expunges the
INBOX's last message with imaplib (IMAPS), then QUITs the POP3 session. Prints as JSON what
POP3's STAT said at login and what its QUIT said."""
import argparse, imaplib, json, poplib, ssl

parser = argparse.ArgumentParser()
parser.add_argument('--pop3s', type=int, required=True)
parser.add_argument('--imaps', type=int, required=True)
parser.add_argument('--cafile', required=True)
parser.add_argument('--user', required=True)
parser.add_argument('--password', required=True)
args = parser.parse_args()

context = ssl.create_default_context(cafile=args.cafile)
pop = poplib.POP3_SSL('127.0.0.1', args.pop3s, context=context, timeout=20)
pop.user(args.user)
pop.pass_(args.password)
count, _ = pop.stat()

imap = imaplib.IMAP4_SSL('127.0.0.1', args.imaps, ssl_context=context, timeout=20)
imap.login(args.user, args.password)
imap.select('INBOX')
imap.store(str(count), '+FLAGS', '(\\Deleted)')
typ, expunged = imap.expunge()
imap.logout()

quit = pop.quit().decode()
print(json.dumps({'stat': count, 'expunged': [e.decode() for e in expunged if e], 'quit': quit}))
