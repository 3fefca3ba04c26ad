"""Reads a POP3 mailbox with Python's poplib over TLS (POP3S, or STLS on the plain port),
verifying the server's certificate, and prints what it found as JSON: the UIDL of each message
and its bytes (base64). With --delete, deletes them all and QUITs (the deletion happens then)."""
import argparse, base64, json, poplib, ssl

parser = argparse.ArgumentParser()
parser.add_argument('--port', type=int, required=True)
parser.add_argument('--cafile', required=True)
parser.add_argument('--user', required=True)
parser.add_argument('--password', required=True)
parser.add_argument('--stls', action='store_true', help='plain port, then STLS')
parser.add_argument('--delete', action='store_true')
args = parser.parse_args()

context = ssl.create_default_context(cafile=args.cafile)
if args.stls:
    pop = poplib.POP3('127.0.0.1', args.port, timeout=20)
    pop.stls(context)
else:
    pop = poplib.POP3_SSL('127.0.0.1', args.port, context=context, timeout=20)
pop.user(args.user)
pop.pass_(args.password)
count, size = pop.stat()
messages = []
for number in range(1, count + 1):
    uidl = pop.uidl(number).decode().split()[2]
    _, lines, _ = pop.retr(number)
    messages.append({'uidl': uidl, 'content': base64.b64encode(b''.join(l + b'\r\n' for l in lines)).decode()})
    if args.delete:
        pop.dele(number)
pop.quit()
print(json.dumps({'count': count, 'size': size, 'messages': messages}))
