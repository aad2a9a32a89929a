/**
 * WooCommerce bridge tables. The store's REST keys live in `tenants.platform_credentials` like
 * every platform's; what only the bridge needs sits here, keyed by the tenant id (which IS the
 * store id handed to the plugin).
 */
export const sql = `
CREATE TABLE woo_stores (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  -- Home URL exactly as the store reports it (scheme and www matter for OAuth 1.0a).
  store_url text NOT NULL,
  key_id integer NOT NULL,
  webhook_id integer,
  -- AES-256-GCM blob (engine keyring) of {"webhookSecret","pluginSecret"}, bound to the tenant.
  secrets bytea NOT NULL,
  secrets_key_id text NOT NULL,
  connected_at timestamptz NOT NULL,
  -- Reconciliation cursor: orders modified after this instant are listed next time.
  reconciled_until timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Plugin request nonces: a signed request is accepted once. Rows outlive the signature window
-- and are purged after it.
CREATE TABLE woo_plugin_nonces (
  store_id text NOT NULL,
  nonce text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (store_id, nonce)
);
CREATE INDEX woo_plugin_nonces_expiry ON woo_plugin_nonces (expires_at);

-- wc-auth correlation state (our one-time user_id) and the claim code that follows it. The
-- claim code is a bearer credential for the plugin secret: stored as a hash for lookup and
-- sealed for the one browser redirect that carries it.
CREATE TABLE woo_pending_authorizations (
  state text PRIMARY KEY,
  store_url text NOT NULL,
  plugin_return_url text NOT NULL,
  expires_at timestamptz NOT NULL,
  store_id text,
  claim_code_hash text UNIQUE,
  claim_code_sealed bytea,
  completed_at timestamptz,
  claimed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX woo_pending_authorizations_expiry ON woo_pending_authorizations (expires_at);
`;
