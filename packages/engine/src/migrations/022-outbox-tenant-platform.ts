/**
 * Each app's dispatcher claims only messages of tenants on its own platform (the Shopify and the
 * WooCommerce app may share one database). Filtering through tenants would make every claim walk
 * all due messages of the other platform (all of them while the other app is down: ~14 ms per
 * claim at 20 000), so the message carries its tenant's platform, and the due index is per
 * platform. A trigger fills it from tenants on every insert, whoever inserts (an instance of the
 * previous release during a rollout too); a tenant's platform never changes. Delivered messages
 * are never claimed again and are left without it (no rewrite of the whole table); dead ones can
 * be requeued, so they get it.
 */
export const sql = `
ALTER TABLE outbox ADD COLUMN tenant_platform text;
CREATE FUNCTION outbox_tenant_platform() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.tenant_platform := (SELECT t.platform FROM tenants t WHERE t.id = NEW.tenant_id);
  RETURN NEW;
END
$fn$;
CREATE TRIGGER outbox_tenant_platform BEFORE INSERT ON outbox
  FOR EACH ROW EXECUTE FUNCTION outbox_tenant_platform();
UPDATE outbox o SET tenant_platform = t.platform FROM tenants t
  WHERE t.id = o.tenant_id AND o.status IN ('pending', 'dead');
CREATE INDEX outbox_due_platform ON outbox (tenant_platform, next_attempt_at)
  WHERE status = 'pending';
`;
