"""Logs in to IMAP or POP3 (after STARTTLS / STLS), or sends a message over SMTP, with Python's
imaplib, poplib or smtplib behind a PROXY protocol header (HAProxy's v1 text or v2 binary) that
names --source as the client: as a load balancer in front of the server would. Prints JSON:
the greeting, and whether the login or the message was accepted (and the server's error)."""
import argparse, imaplib, ipaddress, json, poplib, smtplib, socket, ssl, struct

parser = argparse.ArgumentParser()
parser.add_argument('--protocol', choices=['imap', 'pop3', 'smtp'], required=True)
parser.add_argument('--port', type=int, required=True)
parser.add_argument('--version', choices=['1', '2'], required=True)
parser.add_argument('--source', required=True)
parser.add_argument('--source-port', type=int, default=40000)
parser.add_argument('--cafile')
parser.add_argument('--user')
parser.add_argument('--password')
parser.add_argument('--sender')
parser.add_argument('--to')
parser.add_argument('--message')
args = parser.parse_args()


def header(destination_port):
    source = ipaddress.ip_address(args.source)
    destination = ipaddress.ip_address('127.0.0.1' if source.version == 4 else '::1')
    if args.version == '1':
        family = 'TCP4' if source.version == 4 else 'TCP6'
        return f'PROXY {family} {source} {destination} {args.source_port} {destination_port}\r\n'.encode()
    block = source.packed + destination.packed + struct.pack('!HH', args.source_port, destination_port)
    family = 0x11 if source.version == 4 else 0x21
    return b'\r\n\r\n\x00\r\nQUIT\n' + bytes([0x21, family]) + struct.pack('!H', len(block)) + block


def proxied(sock):
    """The connection as the balancer opens it: its header first, then the client's bytes."""
    sock.sendall(header(args.port))
    return sock


context = ssl.create_default_context(cafile=args.cafile) if args.cafile else None
result = {}
if args.protocol == 'imap':
    class ProxiedIMAP4(imaplib.IMAP4):
        def _create_socket(self, timeout):
            return proxied(super()._create_socket(timeout))
    client = ProxiedIMAP4('127.0.0.1', args.port, timeout=20)
    result['greeting'] = client.welcome.decode()
    client.starttls(context)
    try:
        client.login(args.user, args.password)
        result['accepted'] = True
    except imaplib.IMAP4.error as error:
        result['accepted'] = False
        result['error'] = str(error)
    client.logout()
elif args.protocol == 'pop3':
    class ProxiedPOP3(poplib.POP3):
        def _create_socket(self, timeout):
            return proxied(super()._create_socket(timeout))
    client = ProxiedPOP3('127.0.0.1', args.port, timeout=20)
    result['greeting'] = client.getwelcome().decode()
    client.stls(context)
    try:
        client.user(args.user)
        client.pass_(args.password)
        result['accepted'] = True
    except poplib.error_proto as error:
        result['accepted'] = False
        result['error'] = error.args[0].decode()
    client.quit()
else:
    class ProxiedSMTP(smtplib.SMTP):
        def _get_socket(self, host, port, timeout):
            return proxied(super()._get_socket(host, port, timeout))
    client = ProxiedSMTP(timeout=20)
    code, greeting = client.connect('127.0.0.1', args.port)
    result['greeting'] = f'{code} {greeting.decode()}'
    with open(args.message, 'rb') as file:
        refused = client.sendmail(args.sender, [args.to], file.read())
    result['accepted'] = not refused
    client.quit()
print(json.dumps(result))
