/**
 * Shopify adapter tables. The offline token lives in `tenants.platform_credentials` like every
 * platform's; what only the Shopify app needs sits here, keyed by the tenant id.
 */
export const sql = `
-- One row per installed shop: what OAuth returned besides the token, and the app's own settings.
CREATE TABLE shopify_shops (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  scope text NOT NULL DEFAULT '',
  -- Expiring offline tokens (if Shopify issues them for payments apps): the refresh token is in
  -- the sealed blob below, its expiry here so a job can find tokens due for refresh.
  access_token_expires_at timestamptz,
  -- AES-256-GCM blob (engine keyring) of {"refreshToken"} and of the PagoEfectivo credentials
  -- kept per environment ({"sandbox": {...}, "production": {...}}); the active environment's set
  -- is also written to tenants.pe_credentials, which is what the engine uses.
  secrets bytea,
  secrets_key_id text,
  -- paymentsAppConfigure(ready: true) succeeded with this handle.
  configured_at timestamptz,
  external_handle text,
  installed_at timestamptz NOT NULL DEFAULT now(),
  uninstalled_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- X-Shopify-Webhook-Id of every processed webhook; a redelivery is answered 200 and skipped.
CREATE TABLE shopify_webhook_deliveries (
  webhook_id text PRIMARY KEY,
  processed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shopify_webhook_deliveries_processed ON shopify_webhook_deliveries (processed_at);

-- customers/data_request exports, kept for the merchant to hand over (the webhook has no reply
-- channel). The export is sealed: it is personal data.
CREATE TABLE shopify_data_requests (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  data_request_id text,
  customer_id text,
  voucher_count integer NOT NULL,
  export_sealed bytea NOT NULL,
  export_key_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shopify_data_requests_tenant ON shopify_data_requests (tenant_id, created_at);
`;
