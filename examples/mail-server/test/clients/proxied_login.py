"""Logs in to IMAP or POP3 (after STARTTLS / STLS), or sends a message over SMTP, with Python's
imaplib, poplib or smtplib behind a PROXY protocol header (HAProxy's v1 text or v2 binary) that
names --source as the client: as a load balancer in front of the server would. Prints JSON:
the greeting, and whether the login or the message was accepted (and the server's error).

--implicit-tls: the port speaks TLS from the first octet (IMAPS, POP3S, SMTPS): the header goes
first, then the TLS handshake on the same connection. --packing says how: `together` (the
header held back with MSG_MORE, so that it leaves in one TCP segment with the ClientHello, as
HAProxy's send-proxy does) or `split` (the header in three pieces, a pause between them, before
the handshake)."""
import argparse, imaplib, ipaddress, json, poplib, smtplib, socket, ssl, struct, time

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
parser.add_argument('--implicit-tls', action='store_true')
parser.add_argument('--packing', choices=['together', 'split'], default='together')
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
    if not args.implicit_tls:
        sock.sendall(header(args.port))
        return sock
    data = header(args.port)
    if args.packing == 'together':
        # Held in the kernel until the next send: the ClientHello, which then shares its segment.
        sock.send(data, socket.MSG_MORE)
    else:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for piece in (data[:5], data[5:12], data[12:]):
            sock.sendall(piece)
            time.sleep(0.02)
    return context.wrap_socket(sock, server_hostname='127.0.0.1')


def tls_version(sock):
    """The TLS version the greeting came over, or None in clear."""
    return sock.version() if isinstance(sock, ssl.SSLSocket) else None


context = ssl.create_default_context(cafile=args.cafile) if args.cafile else None
result = {}
if args.protocol == 'imap':
    class ProxiedIMAP4(imaplib.IMAP4):
        def _create_socket(self, timeout):
            return proxied(super()._create_socket(timeout))
    client = ProxiedIMAP4('127.0.0.1', args.port, timeout=20)
    result['greeting'] = client.welcome.decode()
    result['tls'] = tls_version(client.sock)
    if not args.implicit_tls:
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
    result['tls'] = tls_version(client.sock)
    if not args.implicit_tls:
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
    result['tls'] = tls_version(client.sock)
    if args.user:
        client.login(args.user, args.password)
    with open(args.message, 'rb') as file:
        refused = client.sendmail(args.sender, [args.to], file.read())
    result['accepted'] = not refused
    client.quit()
print(json.dumps(result))
