"""SMTP load with Python's smtplib: --connections threads, each sending its share of --count
messages to --to over plain SMTP, one message per transaction, each with its own Message-ID
(<PREFIX-N@load.test>). Prints one JSON line per message as soon as the server answered it:
{"id": ..., "code": 250} for an acknowledged message, the code of a refusal, or "error" when the
connection broke before an answer (then unknown whether it was queued). A thread whose
connection fails opens a new one for its next message, until --until-refused consecutive
connection failures (a node that is gone) end it."""
import argparse, json, smtplib, sys, threading, time

parser = argparse.ArgumentParser()
parser.add_argument('--port', type=int, required=True)
parser.add_argument('--to', required=True)
parser.add_argument('--count', type=int, required=True)
parser.add_argument('--connections', type=int, default=4)
parser.add_argument('--prefix', required=True)
parser.add_argument('--until-refused', type=int, default=3)
args = parser.parse_args()

lock = threading.Lock()

def report(entry):
    with lock:
        print(json.dumps(entry), flush=True)

def message(number):
    mid = f'<{args.prefix}-{number}@load.test>'
    body = (f'From: load@load.test\r\nTo: {args.to}\r\nSubject: load {number}\r\n'
            f'Message-ID: {mid}\r\n\r\nmessage {number}\r\n')
    return mid, body.encode()

def worker(first):
    smtp = None
    failures = 0
    for number in range(first, args.count, args.connections):
        mid, content = message(number)
        try:
            if smtp is None:
                smtp = smtplib.SMTP('127.0.0.1', args.port, local_hostname='load.test', timeout=30)
            failures = 0
        except OSError:
            failures += 1
            report({'id': mid, 'code': 'refused'})
            if failures >= args.until_refused:
                return
            time.sleep(0.1)
            continue
        try:
            smtp.sendmail('load@load.test', [args.to], content)
            report({'id': mid, 'code': 250})
        except smtplib.SMTPResponseException as e:
            report({'id': mid, 'code': e.smtp_code})
            try:
                smtp.rset()
            except Exception:
                smtp = None
        except smtplib.SMTPRecipientsRefused as e:
            report({'id': mid, 'code': list(e.recipients.values())[0][0]})
        except (OSError, smtplib.SMTPException):
            report({'id': mid, 'code': 'error'})
            smtp = None
    if smtp is not None:
        try:
            smtp.quit()
        except Exception:
            pass

threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.connections)]
for t in threads:
    t.start()
for t in threads:
    t.join()
