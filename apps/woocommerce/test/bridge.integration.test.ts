/**
 * The whole bridge over real HTTP: PagoEfectivo is the sandbox (port 0), WooCommerce a small
 * fake server, storage PGlite and PostgreSQL (each suite on a fresh database; PostgreSQL
 * unreachable fails the suite). Schedulers are off; background work runs through the bridge's
 * own outbox nudge (after every accepted POST) or is driven explicitly (expiry, reconciliation,
 * alert evaluation).
 */
import { randomBytes } from "node:crypto";
import { DEMO_MERCHANT, type RunningSandbox } from "../../sandbox/src/index";
import {
  createAttentionItem,
  createKeyring,
  getTenant,
  getTenantCredentials,
  listOpenAttentionItems,
  runRefundSubmissionOnce,
  updateSettings,
  type Database,
} from "@pe-pay/engine";
import { signPluginRequest } from "../src/plugin-auth";
import { wooWebhookSignature } from "../src/webhooks/signature";
import { adminLoginUrl } from "../src/wiring/admin";
import { evaluateStoreAlerts, type RunningBridge } from "../src/wiring/bridge";
import { startConnectedBridge } from "./support/connected-bridge";
import { eventually, type FakeWoo } from "./support/fake-woo";
import { forEachDatabase } from "../../../packages/engine/test/support/databases";

forEachDatabase("woocommerce bridge over HTTP", (t) => {
  describe("the running bridge", () => {
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    const keyring = createKeyring({ keys: { k1: randomBytes(32) }, primary: "k1" });
    const hex = (n: number) => randomBytes(n).toString("hex");

    let sandbox: RunningSandbox;
    let woo: FakeWoo;
    let db: Database;
    /** The SQL the bridge sends while `statements.on` (what a round costs, checked below). */
    const statements = { on: false, sql: [] as string[] };
    let bridge: RunningBridge;
    let storeId: string;
    const pluginSecret = hex(32);
    const webhookSecret = hex(20);

    beforeAll(async () => {
      db = recording(t().db, statements);
      ({ sandbox, woo, bridge, storeId } = await startConnectedBridge({
        db,
        keyring,
        clock,
        pluginSecret,
        webhookSecret,
      }));
      await updateSettings(db, storeId, { creditNotePolicy: "series", creditNoteSeries: "F001" });
      const tenant = await getTenant(db, storeId);
      const put = await fetch(`${sandbox.url}/_sandbox/merchants/${DEMO_MERCHANT.idService}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          notificationUrl: `${bridge.url}/notifications/pagoefectivo/${tenant!.notificationToken}`,
        }),
      });
      expect(put.status).toBe(200);
    }, 60_000);

    afterAll(async () => {
      // The database belongs to forEachDatabase, which drops it after this.
      await bridge?.close();
      await woo?.close();
      await sandbox?.close();
    });

    function plugin(
      method: string,
      path: string,
      body?: unknown,
      opts: { secret?: string; nonce?: string; ts?: number; store?: string; rawBody?: string } = {},
    ) {
      const raw = opts.rawBody ?? (body === undefined ? "" : JSON.stringify(body));
      const headers = signPluginRequest({
        storeId: opts.store ?? storeId,
        secret: opts.secret ?? pluginSecret,
        method,
        path,
        body: body === undefined ? "" : JSON.stringify(body),
        timestamp: opts.ts ?? Math.floor(clock.now().getTime() / 1000),
        nonce: opts.nonce,
      });
      return fetch(`${bridge.url}${path}`, {
        method,
        headers: { ...headers, "content-type": "application/json" },
        ...(method === "GET" ? {} : { body: raw }),
      });
    }

    const voucherBody = (orderId: number, over: Record<string, unknown> = {}) => ({
      order_id: orderId,
      attempt: 1,
      order_number: String(orderId),
      amount: "100.30",
      currency: "PEN",
      email: "ana@example.pe",
      first_name: "Ana",
      return_url: `${woo.url}/checkout/order-received/${orderId}/?key=wc_order_x`,
      ...over,
    });

    interface VoucherJson {
      voucher_id: string;
      status: string;
      cip: string;
      voucher_url: string;
      amount: string;
    }

    async function createVoucher(orderId: number): Promise<VoucherJson> {
      woo.addOrder(orderId);
      const res = await plugin("POST", "/plugin/v1/vouchers", voucherBody(orderId));
      expect(res.status).toBe(201);
      return (await res.json()) as VoucherJson;
    }

    const sandboxCip = (cip: string) => sandbox.sandbox.state.cips.get(Number(cip));

    async function pay(cip: string) {
      const res = await fetch(`${sandbox.url}/_sandbox/cips/${cip}/pay`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(res.status).toBe(200);
    }

    const putsTo = (orderId: number) =>
      woo.requests.filter((r) => r.method === "PUT" && r.path === `/orders/${orderId}`);

    async function paidOrder(orderId: number): Promise<VoucherJson> {
      const v = await createVoucher(orderId);
      await pay(v.cip);
      await eventually(() => putsTo(orderId).length > 0, `paid PUT for ${orderId}`);
      await eventually(() => woo.notes(orderId).length > 0, `paid note for ${orderId}`);
      return v;
    }

    describe("checkout → payment → WooCommerce", () => {
      it("creates the CIP at PagoEfectivo, then a sandbox payment moves the order to processing", async () => {
        const v = await createVoucher(5001);
        expect(v).toMatchObject({ status: "pending", amount: "100.30" });
        expect(v.cip).toMatch(/^\d+$/);
        expect(sandboxCip(v.cip)).toMatchObject({ state: "generated", amountMinor: 10030 });

        // The plugin retrying the same attempt gets the same voucher, not a second CIP.
        const again = await plugin("POST", "/plugin/v1/vouchers", voucherBody(5001));
        expect(again.status).toBe(201);
        expect(await again.json()).toMatchObject({ voucher_id: v.voucher_id, cip: v.cip });
        const lookup = await plugin("GET", "/plugin/v1/vouchers/5001");
        expect(await lookup.json()).toMatchObject({ voucher_id: v.voucher_id });

        await pay(v.cip);
        const [put] = await eventually(() => {
          const p = putsTo(5001);
          return p.length ? p : null;
        }, "PUT processing");
        const body = put!.body as Record<string, unknown>;
        expect(body).toMatchObject({ status: "processing", transaction_id: v.cip });
        // Only these fields: anything like billing/line_items would recalculate totals.
        expect(Object.keys(body).sort()).toEqual(["meta_data", "status", "transaction_id"]);
        await eventually(() => woo.notes(5001).some((n) => n.includes("Pago confirmado")), "note");
        expect(woo.orders.get(5001)).toMatchObject({ status: "processing", transaction_id: v.cip });
        expect(putsTo(5001)).toHaveLength(1);
      });

      it("serves the hosted voucher page and its status JSON", async () => {
        const v = await createVoucher(5010);
        expect(v.voucher_url.startsWith(`${bridge.url}/voucher/`)).toBe(true);
        const page = await fetch(v.voucher_url);
        expect(page.status).toBe(200);
        const csp = page.headers.get("content-security-policy") ?? "";
        const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
        expect(nonce).toBeDefined();
        const html = await page.text();
        expect(html).toContain(`nonce="${nonce}"`);
        expect(html).toContain(`data-cip="${v.cip}"`);
        expect(html).toContain(`/checkout/order-received/5010/`);
        expect(html).not.toContain("ana@example.pe");
        expect(page.headers.get("referrer-policy")).toBe("no-referrer");
        const status = await fetch(`${v.voucher_url}/status`);
        expect(await status.json()).toMatchObject({ status: "pending" });
        expect((await fetch(`${bridge.url}/voucher/${"x".repeat(46)}`)).status).toBe(404);
      });
    });

    describe("outbox delivery", () => {
      it("reads each message's voucher with the round's claim, not once per delivery", async () => {
        // A creation nudges no round: its voucher.pending waits for this one.
        const v = await createVoucher(5020);
        statements.sql = [];
        statements.on = true;
        let delivered = 0;
        try {
          delivered = (await bridge.dispatcher.runOnce()).delivered;
        } finally {
          statements.on = false;
        }
        expect(delivered).toBeGreaterThanOrEqual(1);
        const claims = statements.sql.filter((s) => /UPDATE outbox SET next_attempt_at/.test(s));
        expect(claims).toHaveLength(1);
        expect(claims[0]).toMatch(/FROM vouchers v/);
        // No other statement of the round reads (or writes) a voucher row.
        expect(statements.sql.filter((s) => s !== claims[0] && /\bvouchers\b/.test(s))).toEqual([]);
        const [pending] = await db
          .query<{ status: string }>(
            "SELECT status FROM outbox WHERE aggregate_id = $1 AND kind = 'voucher.pending'",
            [v.voucher_id],
          )
          .then((r) => r.rows);
        expect(pending).toEqual({ status: "delivered" });
        // The WooCommerce order is not touched for it.
        expect(woo.requests.some((r) => r.path.startsWith("/orders/5020"))).toBe(false);
      });
    });

    describe("refunds", () => {
      it("accepted refund → PagoEfectivo completes it → note on the order", async () => {
        const v = await paidOrder(5003);
        const res = await plugin("POST", "/plugin/v1/refunds", {
          order_id: 5003,
          wc_refund_id: 7001,
          amount: "30.00",
          currency: "PEN",
          reason: "Cliente devolvió un artículo",
        });
        expect(res.status).toBe(202);
        await runRefundSubmissionOnce(bridge.ctx);
        const refund = await eventually(
          () =>
            [...sandbox.sandbox.state.refunds.values()].find((r) => String(r.cip) === v.cip) ??
            null,
          "refund at PagoEfectivo",
        );
        expect(refund).toMatchObject({ amountMinor: 3000, invoiceNumber: "F001-00000001" });
        const done = await fetch(`${sandbox.url}/_sandbox/refunds/${refund.refundId}/complete`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        });
        expect(done.status).toBe(200);
        await eventually(
          () => woo.notes(5003).some((n) => n.includes("Reembolso de") && n.includes("completado")),
          "refund note",
        );
        expect(
          woo.requests.some((r) => r.method === "DELETE" && r.path.startsWith("/orders/5003/")),
        ).toBe(false);
      });

      it("rejected refund → the WooCommerce refund record is deleted and a note explains it", async () => {
        const v = await paidOrder(5004);
        const res = await plugin("POST", "/plugin/v1/refunds", {
          order_id: 5004,
          wc_refund_id: 7002,
          amount: "10.00",
          currency: "PEN",
          reason: "Prueba",
        });
        expect(res.status).toBe(202);
        await runRefundSubmissionOnce(bridge.ctx);
        const refund = await eventually(
          () =>
            [...sandbox.sandbox.state.refunds.values()].find((r) => String(r.cip) === v.cip) ??
            null,
          "refund at PagoEfectivo",
        );
        await fetch(`${sandbox.url}/_sandbox/refunds/${refund.refundId}/reject`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        });
        await eventually(
          () =>
            woo.requests.some(
              (r) => r.method === "DELETE" && r.path === "/orders/5004/refunds/7002",
            ),
          "refund record deletion",
        );
        await eventually(() => woo.notes(5004).some((n) => n.includes("falló")), "failure note");
      });

      it("a refund above the paid amount is refused with the reason, before PagoEfectivo", async () => {
        await paidOrder(5008);
        const before = sandbox.sandbox.state.refunds.size;
        const res = await plugin("POST", "/plugin/v1/refunds", {
          order_id: 5008,
          wc_refund_id: 7003,
          amount: "500.00",
          currency: "PEN",
          reason: "",
        });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        const body = (await res.json()) as Record<string, unknown>;
        expect(typeof body.message).toBe("string");
        expect(sandbox.sandbox.state.refunds.size).toBe(before);
      });
    });

    describe("admin cancellation (webhook and reconciliation)", () => {
      function webhook(order: Record<string, unknown>, secret = webhookSecret) {
        const raw = Buffer.from(JSON.stringify(order));
        return fetch(`${bridge.url}/webhooks/woocommerce/${storeId}`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-wc-webhook-topic": "order.updated",
            "x-wc-webhook-signature": wooWebhookSignature(raw, secret),
          },
          body: raw,
        });
      }

      it("an order.updated webhook for an admin-cancelled unpaid order deletes its CIP", async () => {
        const v = await createVoucher(5006);
        const order = { ...woo.orders.get(5006)!, status: "cancelled" };
        const forged = await webhook(order, "wrong-secret-000000000000");
        expect(forged.status).toBe(401);
        expect(sandboxCip(v.cip)?.state).toBe("generated");
        const res = await webhook(order);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe("cancelled_voucher");
        expect(sandboxCip(v.cip)?.state).toBe("removed");
        // Our own echo (and WooCommerce's coalesced re-delivery) is a no-op.
        expect(await (await webhook(order)).text()).toBe("no_action");
      });

      it("the echo of our own paid PUT is answered without reading a voucher", async () => {
        await paidOrder(5030);
        const order = woo.orders.get(5030)!;
        expect(order.status).toBe("processing");
        statements.sql = [];
        statements.on = true;
        let res: Response;
        try {
          res = await webhook(order);
          expect(await res.text()).toBe("no_action");
        } finally {
          statements.on = false;
        }
        expect(res.status).toBe(200);
        // Outbox rounds still finishing the payment may run meanwhile: their claims aside, no
        // statement touches a voucher.
        expect(
          statements.sql.filter(
            (s) => /\bvouchers\b/.test(s) && !/UPDATE outbox SET next_attempt_at/.test(s),
          ),
        ).toEqual([]);
      });

      it("reconciliation catches a cancellation whose webhook was lost", async () => {
        const v = await createVoucher(5007);
        const order = woo.orders.get(5007)!;
        order.status = "cancelled";
        order.date_modified_gmt = new Date(Date.now() + 1000).toISOString().slice(0, 19);
        const result = await bridge.reconcile();
        expect(result).toMatchObject({ failedStores: 0 });
        expect(result.cancelled).toBeGreaterThanOrEqual(1);
        expect(sandboxCip(v.cip)?.state).toBe("removed");
        const listed = woo.requests.filter((r) => r.method === "GET" && r.path === "/orders");
        expect(listed.at(-1)?.query.get("orderby")).toBe("modified");
        // A second pass finds nothing new to do.
        expect((await bridge.reconcile()).cancelled).toBe(0);
      });
    });

    describe("plugin request authentication", () => {
      const countVouchers = async (orderId: number) =>
        (
          await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM vouchers WHERE tenant_id = $1 AND group_key = $2",
            [storeId, String(orderId)],
          )
        ).rows[0]!.n;

      it("refuses bad signatures, stale timestamps, unknown stores and replays without side effects", async () => {
        woo.addOrder(5005);
        const cipsBefore = sandbox.sandbox.state.cips.size;
        const body = voucherBody(5005);
        const wrongSecret = await plugin("POST", "/plugin/v1/vouchers", body, { secret: hex(32) });
        expect(wrongSecret.status).toBe(401);
        expect(await wrongSecret.json()).toMatchObject({ reason: "bad_signature" });
        const stale = await plugin("POST", "/plugin/v1/vouchers", body, {
          ts: Math.floor(clock.now().getTime() / 1000) - 600,
        });
        expect(await stale.json()).toMatchObject({ reason: "stale_timestamp" });
        const unknown = await plugin("POST", "/plugin/v1/vouchers", body, {
          store: "00000000-0000-4000-8000-000000000000",
        });
        expect(await unknown.json()).toMatchObject({ reason: "unknown_store" });
        const tampered = await plugin("POST", "/plugin/v1/vouchers", body, {
          rawBody: JSON.stringify({ ...body, amount: "1.00" }),
        });
        expect(await tampered.json()).toMatchObject({ reason: "bad_signature" });
        expect(await countVouchers(5005)).toBe(0);
        expect(sandbox.sandbox.state.cips.size).toBe(cipsBefore);

        const nonce = hex(16);
        expect((await plugin("POST", "/plugin/v1/vouchers", body, { nonce })).status).toBe(201);
        const replay = await plugin("POST", "/plugin/v1/vouchers", body, { nonce });
        expect(replay.status).toBe(401);
        expect(await replay.json()).toMatchObject({ reason: "replayed" });
        expect(await countVouchers(5005)).toBe(1);
      });

      it("answers the unsigned webhook ping with 200 and refuses unsigned order payloads", async () => {
        const ping = await fetch(`${bridge.url}/webhooks/woocommerce/${storeId}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "webhook_id=7",
        });
        expect(ping.status).toBe(200);
        const unsigned = await fetch(`${bridge.url}/webhooks/woocommerce/${storeId}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ id: 5001, status: "cancelled", payment_method: "pagoefectivo" }),
        });
        expect(unsigned.status).toBe(401);
        expect(woo.orders.get(5001)?.status).toBe("processing");
      });
    });

    describe("merchant admin page", () => {
      const form = (fields: Record<string, string | string[]>) => {
        const p = new URLSearchParams();
        for (const [k, v] of Object.entries(fields))
          for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
        return p.toString();
      };

      it("opens with a signed one-time link and saves credentials only after PagoEfectivo accepts them", async () => {
        const link = adminLoginUrl({
          publicUrl: bridge.url,
          storeId,
          pluginSecret,
          timestamp: Math.floor(clock.now().getTime() / 1000),
        });
        const login = await fetch(link, { redirect: "manual" });
        expect(login.status).toBe(303);
        const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
        expect(login.headers.get("set-cookie")).toMatch(/HttpOnly/i);
        expect((await fetch(link, { redirect: "manual" })).status).toBe(401); // one-time
        expect((await fetch(`${link.slice(0, -4)}0000`, { redirect: "manual" })).status).toBe(401);

        const settings = await fetch(`${bridge.url}/admin/v1/settings`, { headers: { cookie } });
        expect(settings.status).toBe(200);
        const html = await settings.text();
        expect(html).toContain("/notifications/pagoefectivo/");
        expect(html).not.toContain(DEMO_MERCHANT.secretKey);
        const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
        const fields = {
          csrf,
          environment: "sandbox",
          id_service: String(DEMO_MERCHANT.idService),
          access_key: DEMO_MERCHANT.accessKey,
          secret_key: "sk_wrong_0000000000000000000000",
          validity_hours: "24",
          channels: ["agents"],
          credit_note_policy: "series",
          credit_note_series: "F002",
          credit_note_next_number: "10",
        };
        const post = (f: Record<string, string | string[]>, extra: Record<string, string> = {}) =>
          fetch(`${bridge.url}/admin/v1/settings`, {
            method: "POST",
            headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...extra },
            body: form(f),
          });

        const refused = await post(fields);
        expect(refused.status).toBe(400);
        expect(await refused.text()).toContain("PagoEfectivo rechazó las credenciales (HTTP 401");
        const kept = await getTenantCredentials(db, keyring, storeId);
        expect(kept.pagoEfectivo?.secretKey).toBe(DEMO_MERCHANT.secretKey);

        expect((await post({ ...fields, csrf: "x" })).status).toBe(403);
        expect((await post(fields, { origin: "https://evil.example" })).status).toBe(403);

        const saved = await post({ ...fields, secret_key: "" }); // blank = keep the stored secret
        expect(saved.status).toBe(200);
        expect(await saved.text()).toContain("Conexión exitosa");
        const settingsRow = await db.query(
          "SELECT validity_hours, enabled_channels, credit_note_series FROM tenant_settings WHERE tenant_id = $1",
          [storeId],
        );
        expect(settingsRow.rows[0]).toMatchObject({
          validity_hours: 24,
          enabled_channels: ["agents"],
          credit_note_series: "F002",
        });
        // Put back what the other tests expect.
        await updateSettings(db, storeId, { validityHours: 48, creditNoteSeries: "F001" });
        expect((await fetch(`${bridge.url}/admin/v1/settings`)).status).toBe(401);
      });
    });

    describe("merchant alerts on the admin page", () => {
      const quiet = { warn() {} };
      async function adminSession() {
        const link = adminLoginUrl({
          publicUrl: bridge.url,
          storeId,
          pluginSecret,
          timestamp: Math.floor(clock.now().getTime() / 1000),
        });
        const login = await fetch(link, { redirect: "manual" });
        const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
        const page = async () => {
          const res = await fetch(`${bridge.url}/admin/v1/settings`, { headers: { cookie } });
          expect(res.status).toBe(200);
          return res.text();
        };
        const html = await page();
        const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
        const act = async (alertId: string, fields: Record<string, string> = {}) => {
          const res = await fetch(`${bridge.url}/admin/v1/alerts/${alertId}`, {
            method: "POST",
            headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ csrf, ...fields }).toString(),
          });
          return { status: res.status, html: await res.text() };
        };
        return { page, act };
      }
      /** The id in the action of the alert form that follows `title`. */
      const alertId = (html: string, title: string) => {
        const at = html.indexOf(title);
        expect(at).toBeGreaterThan(-1);
        return /action="\/admin\/v1\/alerts\/(\d+)"/.exec(html.slice(at))![1]!;
      };

      it("a refund held for its credit note: scheduled alert, number entered on the page, sent to PagoEfectivo", async () => {
        await paidOrder(5020);
        await updateSettings(db, storeId, { creditNotePolicy: "manual" });
        try {
          const res = await plugin("POST", "/plugin/v1/refunds", {
            order_id: 5020,
            wc_refund_id: 7020,
            amount: "20.00",
            currency: "PEN",
            reason: "Devolución",
          });
          expect(res.status).toBe(202);
          const run = await evaluateStoreAlerts(bridge.ctx, bridge.tenants, quiet);
          expect(run).toMatchObject({ failed: 0 });
          expect(run.raised).toBeGreaterThanOrEqual(1);

          const admin = await adminSession();
          const html = await admin.page();
          expect(html).toContain("Reembolso esperando nota de crédito");
          expect(html).toContain("Emita la nota de crédito e ingrese su número");
          const id = alertId(html, "Reembolso esperando nota de crédito");
          const bad = await admin.act(id, { credit_note_number: "123" });
          expect(bad.status).toBe(400);
          expect(bad.html).toContain("F001-00000123");
          const done = await admin.act(id, { credit_note_number: "F001-00000777" });
          expect(done.status).toBe(200);
          expect(done.html).toContain("Nota de crédito registrada");
          expect(done.html).not.toContain("Reembolso esperando nota de crédito");
          expect(
            [...sandbox.sandbox.state.refunds.values()].some(
              (r) => r.invoiceNumber === "F001-00000777",
            ),
          ).toBe(true);
        } finally {
          await updateSettings(db, storeId, {
            creditNotePolicy: "series",
            creditNoteSeries: "F001",
          });
        }
      });

      it("an order update WooCommerce refused is a dead letter the merchant retries from the page", async () => {
        // Order 5021 does not exist in WooCommerce yet: the paid update is refused (404).
        const res = await plugin("POST", "/plugin/v1/vouchers", voucherBody(5021));
        const v = (await res.json()) as VoucherJson;
        await pay(v.cip);
        await eventually(
          async () =>
            (
              await db.query(
                "SELECT 1 FROM outbox WHERE tenant_id = $1 AND status = 'dead' AND kind = 'voucher.paid'",
                [storeId],
              )
            ).rows.length > 0,
          "dead letter",
        );
        woo.addOrder(5021);
        const admin = await adminSession();
        const html = await admin.page();
        expect(html).toContain("No pudimos actualizar un pedido en WooCommerce");
        expect(html).toContain("pedido pagado");
        const retried = await admin.act(alertId(html, "No pudimos actualizar un pedido"), {});
        expect(retried.html).toContain("se volverá a enviar");
        await eventually(() => putsTo(5021).length > 0, "PUT processing after the retry");
        await eventually(
          async () => !(await admin.page()).includes("No pudimos actualizar un pedido"),
          "alert resolved",
        );
      });

      it("an attention item is shown in usted and resolved from the page", async () => {
        const { rows } = await db.query<{ id: string }>(
          "SELECT id FROM vouchers WHERE tenant_id = $1 LIMIT 1",
          [storeId],
        );
        await createAttentionItem(db, {
          tenantId: storeId,
          voucherId: rows[0]!.id,
          kind: "paid_twice",
          dedupeKey: `paid_twice:${hex(4)}`,
        });
        await evaluateStoreAlerts(bridge.ctx, bridge.tenants, quiet);
        const admin = await adminSession();
        const html = await admin.page();
        expect(html).toContain("Un pago requiere su atención");
        expect(html).toContain("devuelva el segundo pago al cliente");
        const done = await admin.act(alertId(html, "Un pago requiere su atención"));
        expect(done.html).toContain("Marcado como resuelto");
        expect(done.html).not.toContain("Un pago requiere su atención");
        expect(await listOpenAttentionItems(db, storeId)).toEqual([]);
      });
    });

    describe("expiry", () => {
      afterAll(() => {
        offsetMs = 0;
      });

      it("an unpaid CIP past its deadline is deleted at PagoEfectivo, then the order is cancelled", async () => {
        const v = await createVoucher(5002);
        // Every other open voucher of this file expires too; only 5002 is asserted.
        offsetMs = 49 * 3_600_000;
        const run = await bridge.engine.runExpiryOnce();
        expect(run.expired).toBeGreaterThanOrEqual(1);
        expect(sandboxCip(v.cip)?.state).toBe("removed");
        expect(woo.orders.get(5002)?.status).toBe("on-hold"); // not before the CIP is gone
        // A delivery round started by an earlier request may hold the message: keep nudging.
        await eventually(async () => {
          await bridge.dispatcher.runOnce();
          return putsTo(5002).length > 0;
        }, "PUT cancelled");
        expect(putsTo(5002).map((r) => r.body)).toEqual([{ status: "cancelled" }]);
        // The note is the delivery's next request: a round started elsewhere may still be on it.
        await eventually(
          async () => woo.notes(5002).some((n) => n.includes("venció")),
          "cancellation note",
        );
        const page = await fetch(`${v.voucher_url}/status`);
        expect(await page.json()).toMatchObject({ status: "expired" });
      });
    });
  });
});

/** `db` with every statement's SQL noted in `log.sql` while `log.on` (transactions included). */
function recording(db: Database, log: { on: boolean; sql: string[] }): Database {
  const note = (sql: string) => {
    if (log.on) log.sql.push(sql);
  };
  return {
    kind: db.kind,
    inTransaction: false,
    query(sql, params) {
      note(sql);
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
    transaction: (fn, opts) =>
      db.transaction(
        (tx) =>
          fn({
            kind: tx.kind,
            inTransaction: true,
            query(sql, params) {
              note(sql);
              return tx.query(sql, params);
            },
            exec: (sql) => tx.exec(sql),
          }),
        opts,
      ),
    close: () => db.close(),
  };
}
