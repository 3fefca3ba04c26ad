"""Submits a message with Python's smtplib: STARTTLS on the submission port (verifying the
server's certificate), AUTH, then the message file's bytes as they are. Prints the server's
reply to the data, or the refusal, as JSON."""
import argparse, json, smtplib, ssl, sys

parser = argparse.ArgumentParser()
parser.add_argument('--port', type=int, required=True)
parser.add_argument('--cafile', required=True)
parser.add_argument('--user')
parser.add_argument('--password')
parser.add_argument('--sender', required=True)
parser.add_argument('--to', action='append', required=True)
parser.add_argument('--message', required=True, help='a file with the message, CRLF line ends')
args = parser.parse_args()

with open(args.message, 'rb') as f:
    content = f.read()
with smtplib.SMTP('127.0.0.1', args.port, local_hostname='python.test', timeout=20) as smtp:
    smtp.starttls(context=ssl.create_default_context(cafile=args.cafile))
    if args.user:
        smtp.login(args.user, args.password)
    try:
        refused = smtp.sendmail(args.sender, args.to, content)
        print(json.dumps({'ok': True, 'refused': {k: [v[0], v[1].decode()] for k, v in refused.items()}}))
    except smtplib.SMTPRecipientsRefused as e:
        print(json.dumps({'ok': False, 'refused': {k: [v[0], v[1].decode()] for k, v in e.recipients.items()}}))
    except smtplib.SMTPSenderRefused as e:
        print(json.dumps({'ok': False, 'sender': [e.smtp_code, e.smtp_error.decode()]}))
    except smtplib.SMTPDataError as e:
        print(json.dumps({'ok': False, 'data': [e.smtp_code, e.smtp_error.decode()]}))
