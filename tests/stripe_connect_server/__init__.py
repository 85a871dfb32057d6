"""A small stateful Stripe-compatible server for the Connect calls Loopwork makes.

localstripe covers PaymentIntents but has no Connect, no idempotency and no fault injection,
so the payout tests run the real stripe-python HTTP path against this server on loopback
(`STRIPE_API_BASE`). It follows Stripe's documented rules where our code depends on them:

- Express accounts (`POST /v1/accounts`, `GET /v1/accounts/{id}`) and onboarding links
  (`POST /v1/account_links`); following a link's URL completes onboarding at once (our
  stand-in for Stripe's hosted pages) and emits `account.updated`.
- Transfers (`POST /v1/transfers`, `GET /v1/transfers/{id}`, `GET /v1/transfers` with the
  `destination`, `created`, `limit` and `starting_after` filters, newest first) that draw on
  a platform balance, and reversals (`POST /v1/transfers/{id}/reversals`) that refill it.
- Idempotency on every POST: the first response (status and body, errors included) of an
  endpoint that began executing is stored under the key and replayed with
  `Idempotent-Replayed: true`; the same key with other parameters is a 400
  `idempotency_error`; a request whose parameters fail validation, or that arrives while
  another with its key is executing, stores nothing.
- Signed events (`Stripe-Signature: t=...,v1=HMAC-SHA256`) for `account.updated` (signed
  with the Connect secret and carrying `account`), `transfer.created` and `transfer.reversed`,
  queued and delivered when the test says, to a URL or a callable, with faults of their own.

Fault injection (see `Faults`): the next N calls answer 500 (stored under their key or not);
"timeout after success" performs the transfer then stalls or closes before answering; a
connection reset before anything runs.

What it cannot prove: that Stripe's real servers agree with it beyond the fixture shapes in
tests/payouts/fixtures/connect_*.json (checked by tests/payouts/test_connect_server.py),
real onboarding and KYC, payouts from connected accounts to banks, and rate limits.
"""

from .server import ConnectServer, sign_payload

__all__ = ["ConnectServer", "sign_payload"]
