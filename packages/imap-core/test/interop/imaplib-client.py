"""Drives our IMAP server with Python's standard imaplib, as a user's script would, and prints
what it saw as JSON. Usage: python3 imaplib-client.py <starttls-port> <tls-port>."""
import imaplib
import json
import ssl
import sys

plain_port, tls_port = int(sys.argv[1]), int(sys.argv[2])
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
out = {}


def text(data):
    return [d.decode() if isinstance(d, bytes) else [x.decode() if isinstance(x, bytes) else x for x in d] for d in data if d is not None]


# STARTTLS on the plain port, LOGIN after it.
m = imaplib.IMAP4("127.0.0.1", plain_port)
out["before_tls"] = list(m.capabilities)
m.starttls(ssl_context=context)
out["login"] = m.login("alice@example.com", "wonderland")[0]
m.logout()

# Implicit TLS: a whole session.
m = imaplib.IMAP4_SSL("127.0.0.1", tls_port, ssl_context=context)
m.login("alice", "wonderland")
out["capabilities"] = sorted(m.capability()[1][0].decode().split())
typ, boxes = m.list()
out["list"] = text(boxes)
out["create"] = m.create('"Work Stuff"')[0]
message = b"From: bob@example.com\r\nTo: alice@example.com\r\nSubject: Hello from imaplib\r\n\r\nSome text.\r\n"
out["append"] = text(m.append("INBOX", "(\\Flagged)", imaplib.Time2Internaldate(1700000000), message)[1])
typ, data = m.select("INBOX")
out["select"] = [typ, text(data)]
out["search"] = text(m.search(None, "SUBJECT", '"from imaplib"')[1])
out["uid_search"] = text(m.uid("SEARCH", None, "FLAGGED")[1])
typ, data = m.fetch("1", "(FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY[TEXT])")
out["fetch"] = [[p.decode() for p in item] if isinstance(item, tuple) else item.decode() for item in data]
out["store"] = text(m.store("1", "+FLAGS", "(\\Deleted)")[1])
out["copy"] = m.copy("1", '"Work Stuff"')[0]
out["expunge"] = text(m.expunge()[1])
out["status"] = text(m.status('"Work Stuff"', "(MESSAGES UNSEEN)")[1])
out["namespace"] = text(m.namespace()[1])
m.close()
out["logout"] = m.logout()[0]
print(json.dumps(out))
