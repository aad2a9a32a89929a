/**
 * The Shopify merchant UI's logout, held by every app instance. The session cookie is signed,
 * not stored, so an instance can only refuse a logged-out cookie it has been told about: the
 * instant is kept here, once per shop, and checked on every authenticated dashboard request.
 */
export const sql = `
-- Merchant UI sessions of the shop issued before not_before (by their issue time) are refused.
-- Only moves forward: a later logout never reopens sessions an earlier one ended.
CREATE TABLE shopify_merchant_sessions (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  not_before timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
