import { MicroBatcher, type Database } from "@pe-pay/engine";

/**
 * Small facts the Shopify adapter adds to a voucher after creation, kept in the adapter's own
 * part of `vouchers.platform_data` (`{platform: {...}}`, which the engine stores and echoes but
 * never rewrites after creation). Each write touches one key with jsonb_set, so it cannot lose a
 * concurrent write to another key.
 */
async function setPlatformKey(
  db: Database,
  voucherId: string,
  key: string,
  value: unknown,
): Promise<void> {
  await db.query(
    `UPDATE vouchers SET platform_data = jsonb_set(
       jsonb_set(platform_data, '{platform}', COALESCE(platform_data->'platform', '{}'::jsonb)),
       ARRAY['platform', $2::text], $3::jsonb)
     WHERE id = $1`,
    [voucherId, key, JSON.stringify(value)],
  );
}

/**
 * One MicroBatcher per database handle for `run`, made on first use: calls on the same handle
 * made together share one statement.
 */
function perDatabase<I, R>(
  run: (db: Database, items: readonly I[]) => Promise<R[]>,
): (db: Database, item: I) => Promise<R> {
  const batchers = new WeakMap<Database, MicroBatcher<I, R>>();
  return (db, item) => {
    let batcher = batchers.get(db);
    if (!batcher) {
      batcher = new MicroBatcher((items) => run(db, items), { maxSize: 64, concurrency: 1 });
      batchers.set(db, batcher);
    }
    return batcher.submit(item);
  };
}

const redirectWriter = perDatabase(recordRedirectUrls);

/**
 * Shopify's thank-you page for this payment session (from paymentSessionPending). Deliveries
 * that learn their URLs together (the outbox delivers several at once) record them with one
 * UPDATE: each voucher's key is set with jsonb_set as setPlatformKey does; alone, a call waits
 * for nothing (a batch of one on the next turn of the event loop).
 */
export function recordRedirectUrl(db: Database, voucherId: string, url: string): Promise<void> {
  return redirectWriter(db, { id: voucherId, url });
}

async function recordRedirectUrls(
  db: Database,
  items: readonly { id: string; url: string }[],
): Promise<void[]> {
  // One row per voucher (an UPDATE … FROM applies one of several matches): the latest call wins.
  const latest = new Map(items.map((i) => [i.id, i.url]));
  await db.query(
    `UPDATE vouchers v SET platform_data = jsonb_set(
       jsonb_set(v.platform_data, '{platform}', COALESCE(v.platform_data->'platform', '{}'::jsonb)),
       '{platform,redirectUrl}', to_jsonb(d.url))
     FROM unnest($1::uuid[], $2::text[]) AS d(id, url)
     WHERE v.id = d.id`,
    [[...latest.keys()], [...latest.values()]],
  );
  return items.map(() => undefined);
}

/** Why the voucher is being cancelled; the deliverer rejects the session only for admin_cancelled. */
export function recordCancelReason(
  db: Database,
  voucherId: string,
  reason: "shopper_switched" | "admin_cancelled",
): Promise<void> {
  return setPlatformKey(db, voucherId, "cancelReason", reason);
}

/** What the voucher e-mail needs besides the voucher view, read with its claim. */
export interface VoucherEmailFacts {
  /** The shopper's address as stored (null: none). */
  to: string | null;
  shopperFirstName: string | null;
  shopDomain: string | null;
  displayName: string | null;
  /** The tenant's enabled payment channels (null: no settings row). */
  enabledChannels: string[] | null;
}

export type VoucherEmailClaim =
  /** This caller sends the e-mail: the claim is taken (release it if sending fails). */
  | { claimed: true; facts: VoucherEmailFacts }
  /** Not this caller's to send: no address, already claimed, or the voucher is not pending. */
  | { claimed: false; facts: VoucherEmailFacts | null };

const emailClaimer = perDatabase(claimVoucherEmails);

/**
 * Claims the voucher e-mail: claimed for exactly one caller, so the shopper gets one mail even
 * when the outbox delivers `voucher.pending` again. The UPDATE's guard (still pending, an
 * address, not claimed before) is re-checked on the latest row version, so two instances racing
 * for the same voucher cannot both win. The same statement returns what the e-mail shows (the
 * shopper's name and address, the shop, its channels), so sending costs no further reads.
 * Claims made together (the outbox delivers several vouchers at once) share one statement; a
 * lone claim waits for nothing (a batch of one on the next turn of the event loop).
 */
export function claimVoucherEmail(
  db: Database,
  voucherId: string,
  at: Date,
): Promise<VoucherEmailClaim> {
  return emailClaimer(db, { id: voucherId, at });
}

async function claimVoucherEmails(
  db: Database,
  items: readonly { id: string; at: Date }[],
): Promise<VoucherEmailClaim[]> {
  const { rows } = await db.query<{
    id: string;
    shopper_email: string | null;
    shopper_first_name: string | null;
    shop_domain: string | null;
    display_name: string | null;
    enabled_channels: string[] | null;
    claimed: boolean;
  }>(
    `WITH d AS (
       SELECT DISTINCT ON (id) id, at FROM unnest($1::uuid[], $2::text[]) AS d(id, at)
     ), claimed AS (
       UPDATE vouchers v SET platform_data = jsonb_set(
         jsonb_set(v.platform_data, '{platform}', COALESCE(v.platform_data->'platform', '{}'::jsonb)),
         '{platform,emailSentAt}', to_jsonb(d.at))
       FROM d
       WHERE v.id = d.id AND v.status = 'pending' AND btrim(COALESCE(v.shopper_email, '')) <> ''
         AND NOT COALESCE(v.platform_data->'platform' ? 'emailSentAt', false)
       RETURNING v.id
     )
     SELECT v.id, v.shopper_email, v.shopper_first_name, t.shop_domain, t.display_name,
       s.enabled_channels, v.id IN (SELECT id FROM claimed) AS claimed
     FROM vouchers v
       LEFT JOIN tenants t ON t.id = v.tenant_id
       LEFT JOIN tenant_settings s ON s.tenant_id = v.tenant_id
     WHERE v.id IN (SELECT id FROM d)`,
    [items.map((i) => i.id), items.map((i) => i.at.toISOString())],
  );
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  const taken = new Set<string>();
  return items.map((i) => {
    const id = i.id.toLowerCase(); // as PostgreSQL prints a uuid
    const r = byId.get(id);
    if (!r) return { claimed: false, facts: null };
    const facts: VoucherEmailFacts = {
      to: r.shopper_email,
      shopperFirstName: r.shopper_first_name,
      shopDomain: r.shop_domain,
      displayName: r.display_name,
      enabledChannels: r.enabled_channels,
    };
    // The same voucher twice in one batch: the claim is the first caller's only.
    if (r.claimed !== true || taken.has(id)) return { claimed: false, facts };
    taken.add(id);
    return { claimed: true, facts };
  });
}

export async function releaseVoucherEmail(db: Database, voucherId: string): Promise<void> {
  await db.query(
    "UPDATE vouchers SET platform_data = platform_data #- '{platform,emailSentAt}' WHERE id = $1",
    [voucherId],
  );
}
