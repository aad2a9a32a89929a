/**
 * Initial schema. Conventions and the reasons behind them:
 * - Amounts are bigint minor units (céntimos) + a currency column; never numeric/float.
 * - Statuses are text without CHECK lists: the voucher/refund state machines in @pe-pay/core own
 *   the vocabulary, and a CHECK here would turn every new state into a migration.
 * - Time columns are timestamptz. Scheduling columns (`next_poll_at`, `next_attempt_at`, leases)
 *   are compared with a `now` supplied by the caller's Clock, so tests can move time.
 * - Work queues are rows claimed with `FOR UPDATE SKIP LOCKED`, each claim also writing a lease
 *   time: N instances never take the same row, and a crashed worker's rows come back when the
 *   lease runs out. No separate job-queue or distributed-lock machinery.
 */
export const sql = `
-- Merchants: one row per installed shop. The notification token is the random path segment of
-- the PagoEfectivo notification URL: it picks the tenant (and so the secret key to verify the
-- signature with) before the body is trusted. It is an identifier the merchant pastes into the
-- PagoEfectivo portal, not the authentication (that is the HMAC), so it is stored readable.
CREATE TABLE tenants (
  id uuid PRIMARY KEY,
  platform text NOT NULL CHECK (platform IN ('shopify', 'woocommerce')),
  -- myshopify domain or WooCommerce site URL, lower-cased by the repository.
  shop_domain text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  -- Credentials belong to one PagoEfectivo environment, so the environment lives beside them.
  environment text NOT NULL DEFAULT 'sandbox' CHECK (environment IN ('sandbox', 'production')),
  notification_token text NOT NULL UNIQUE CHECK (length(notification_token) >= 32),
  -- AES-256-GCM blobs (see crypto/keyring.ts). The key id is repeated outside the blob so a
  -- rotation job can find rows still written with a retired key.
  pe_credentials bytea,
  pe_credentials_key_id text,
  platform_credentials bytea,
  platform_credentials_key_id text,
  display_name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deactivated_at timestamptz,
  UNIQUE (platform, shop_domain)
);

CREATE TABLE tenant_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  validity_hours integer NOT NULL DEFAULT 48 CHECK (validity_hours BETWEEN 1 AND 720),
  -- Payment channels offered to the shopper (e.g. "online_banking", "agents"); a JSON array
  -- rather than text[] so both drivers read and write it identically.
  enabled_channels jsonb NOT NULL DEFAULT '["online_banking", "agents"]'
    CHECK (jsonb_typeof(enabled_channels) = 'array'),
  -- SUNAT credit note for refunds: 'series' allocates <series>-<next number> atomically;
  -- 'manual' holds each refund until someone enters the number.
  credit_note_policy text NOT NULL DEFAULT 'manual' CHECK (credit_note_policy IN ('series', 'manual')),
  credit_note_series text CHECK (credit_note_series ~ '^[FB][A-Z0-9]{3}$'),
  credit_note_next_number bigint NOT NULL DEFAULT 1
    CHECK (credit_note_next_number BETWEEN 1 AND 100000000),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (credit_note_policy = 'manual' OR credit_note_series IS NOT NULL)
);

-- One row per payment attempt on the platform. It is written BEFORE PagoEfectivo is called, so a
-- crash between "CIP created" and "answer stored" is recoverable from transaction_code.
CREATE TABLE vouchers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  -- The platform's reference for this payment (Shopify payment session id, WooCommerce
  -- order id + attempt) and the idempotency key it retries with.
  platform_payment_id text NOT NULL,
  idempotency_key text NOT NULL,
  -- Groups attempts of one order (a shopper may pay again after a voucher expired).
  group_key text,
  -- Hash of the create request: same key with a different body is a conflict, not a replay.
  request_fingerprint text NOT NULL,
  -- Ours, sent to PagoEfectivo; globally unique so a payment for a CIP we never stored (a
  -- retried create that left two CIPs) still finds its voucher.
  transaction_code text NOT NULL UNIQUE,
  cip text CHECK (cip ~ '^[0-9]{1,20}$'),
  cip_url text,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency IN ('PEN', 'USD')),
  status text NOT NULL,
  expires_at timestamptz NOT NULL,
  paid_at timestamptz,
  paid_amount_minor bigint CHECK (paid_amount_minor >= 0),
  paid_currency text CHECK (paid_currency IN ('PEN', 'USD')),
  payment_operation_number text,
  cancelled_at timestamptz,
  -- Shopper contact kept minimal (the voucher email); erasable on request.
  shopper_email text,
  shopper_first_name text,
  -- Adapter data the engine does not interpret (e.g. Shopify payment session gid).
  platform_data jsonb NOT NULL DEFAULT '{}',
  create_attempts integer NOT NULL DEFAULT 0,
  last_error text,
  -- Polling fallback: a voucher is polled while next_poll_at is set; terminal states clear it.
  next_poll_at timestamptz,
  last_polled_at timestamptz,
  poll_count integer NOT NULL DEFAULT 0,
  -- Lease taken by the expiry scheduler's claim (crash → the row comes back when it lapses).
  expiry_lease_until timestamptz,
  version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, idempotency_key),
  UNIQUE (tenant_id, platform_payment_id),
  CHECK (paid_amount_minor IS NULL OR paid_currency IS NOT NULL)
);
CREATE INDEX vouchers_expiry_due ON vouchers (status, expires_at);
CREATE INDEX vouchers_poll_due ON vouchers (next_poll_at) WHERE next_poll_at IS NOT NULL;
CREATE INDEX vouchers_group ON vouchers (tenant_id, group_key) WHERE group_key IS NOT NULL;
CREATE INDEX vouchers_shopper_email ON vouchers (tenant_id, lower(shopper_email))
  WHERE shopper_email IS NOT NULL;
CREATE UNIQUE INDEX vouchers_cip ON vouchers (tenant_id, cip) WHERE cip IS NOT NULL;

-- Every CIP ever issued for a voucher. A create retried after a timeout can leave PagoEfectivo
-- with two CIPs for one voucher; both must map back to it (one gets paid, the other deleted).
-- CIP numbers are unique per PagoEfectivo environment, not across merchants' sandboxes: keyed
-- per tenant.
CREATE TABLE voucher_cips (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  cip text NOT NULL CHECK (cip ~ '^[0-9]{1,20}$'),
  voucher_id uuid NOT NULL REFERENCES vouchers (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, cip)
);
CREATE INDEX voucher_cips_voucher ON voucher_cips (voucher_id);

-- Notification inbox: the raw bytes are stored before answering 2xx, so a crash after the
-- answer loses nothing; dedupe_key collapses PagoEfectivo's retries into one row.
CREATE TABLE notification_inbox (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  dedupe_key text NOT NULL,
  raw_body bytea NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  signature_valid boolean NOT NULL,
  event_type text,
  operation_number text,
  cip text,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  result text,
  result_detail jsonb,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  -- Lease for re-applying stored-but-unprocessed rows after a crash.
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, dedupe_key)
);
CREATE INDEX notification_inbox_unprocessed ON notification_inbox (next_attempt_at)
  WHERE processed_at IS NULL;

-- Refunds: our id is the PagoEfectivo "reference" (their idempotency key), the platform's
-- refund id is ours.
CREATE TABLE refunds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  voucher_id uuid NOT NULL REFERENCES vouchers (id),
  platform_refund_id text NOT NULL,
  request_fingerprint text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency IN ('PEN', 'USD')),
  status text NOT NULL,
  reason text,
  pe_refund_id text UNIQUE,
  credit_note_number text CHECK (credit_note_number ~ '^[FB][A-Z0-9]{3}-[0-9]{1,8}$'),
  failure_code text,
  failure_reason text,
  platform_data jsonb NOT NULL DEFAULT '{}',
  submitted_at timestamptz,
  completed_at timestamptz,
  failed_at timestamptz,
  next_poll_at timestamptz,
  last_polled_at timestamptz,
  poll_count integer NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, platform_refund_id)
);
CREATE INDEX refunds_voucher ON refunds (voucher_id);
CREATE INDEX refunds_poll_due ON refunds (next_poll_at) WHERE next_poll_at IS NOT NULL;
CREATE INDEX refunds_status ON refunds (tenant_id, status);

-- Outbox of platform callbacks, written in the same transaction as the state change. Delivery
-- is in seq order per aggregate (a "paid" must not overtake "voucher created").
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  aggregate_type text NOT NULL,
  aggregate_id text NOT NULL,
  seq integer NOT NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  -- Optional: one message per (tenant, key), e.g. "resolve:<voucher>" so a replayed event
  -- cannot enqueue a second callback.
  dedupe_key text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  -- Due time; a claim pushes it forward by a lease, a failure by the backoff.
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  dead_at timestamptz,
  UNIQUE (aggregate_type, aggregate_id, seq),
  UNIQUE (tenant_id, dedupe_key)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_pending_heads ON outbox (aggregate_type, aggregate_id, seq)
  WHERE status = 'pending';
CREATE INDEX outbox_dead ON outbox (tenant_id, dead_at) WHERE status = 'dead';

-- Payments the engine must not resolve alone (paid twice, paid after cancellation, amount
-- mismatch): the merchant decides (refund or reinstate). dedupe_key makes replays idempotent.
CREATE TABLE attention_items (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  voucher_id uuid REFERENCES vouchers (id),
  kind text NOT NULL,
  dedupe_key text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolution text,
  UNIQUE (tenant_id, dedupe_key)
);
CREATE INDEX attention_items_open ON attention_items (tenant_id, created_at)
  WHERE resolved_at IS NULL;

-- Every PagoEfectivo request/response, redacted before insert. Retention: purgeAuditLog.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  tenant_id uuid REFERENCES tenants (id),
  direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  method text NOT NULL,
  path text NOT NULL,
  status integer,
  request jsonb,
  response jsonb,
  duration_ms integer,
  error text,
  request_id text,
  voucher_id uuid,
  refund_id uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created ON audit_log (created_at);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, created_at);

-- Merchant-visible alerts. One OPEN alert per (tenant, kind, key): repeats bump the counter
-- instead of flooding the list.
CREATE TABLE alerts (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  kind text NOT NULL,
  alert_key text NOT NULL DEFAULT '',
  detail jsonb NOT NULL DEFAULT '{}',
  occurrences integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);
CREATE UNIQUE INDEX alerts_open ON alerts (tenant_id, kind, alert_key) WHERE resolved_at IS NULL;
`;
