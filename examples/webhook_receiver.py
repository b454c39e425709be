"""A Zone Portfolio webhook receiver that verifies every message's Standard Webhooks signature.

Usage:

    pip install standardwebhooks
    WEBHOOK_SECRET=whsec_... python examples/webhook_receiver.py --port 8080

Give the secret shown when the webhook was added (or its secret rotated), and point the webhook's
target URL at this server (behind your https proxy). A message whose signature, id or timestamp
does not verify (or is more than 5 minutes old) is answered 400 and ignored; a valid one is printed
and answered 204. Deliveries are retried, and redelivered with the same ``webhook-id``: a message
already seen is acknowledged again and not processed twice. Fetch the changed record from
``data.url`` with your API token.
"""

import argparse
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

MAX_BODY = 1_000_000


def handler_for(webhook: Webhook, seen: set):
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self.answer(413)
                return
            body = self.rfile.read(length)
            try:
                message = webhook.verify(body, dict(self.headers))
            except WebhookVerificationError as error:
                print(f"refused: {error}")
                self.answer(400)
                return
            message_id = self.headers["webhook-id"]
            if message_id not in seen:
                seen.add(message_id)
                print(message_id, json.dumps(message, indent=2))
            self.answer(204)

        def answer(self, status: int):
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

    return Receiver


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    webhook = Webhook(os.environ["WEBHOOK_SECRET"])
    server = ThreadingHTTPServer((args.host, args.port), handler_for(webhook, set()))
    print(f"Listening on http://{args.host}:{args.port}/")
    server.serve_forever()


if __name__ == "__main__":
    main()
