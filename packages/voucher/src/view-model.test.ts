import { money, ValidationError } from "@pe-pay/core";
import { clockAt, EXPIRES, sampleInput } from "../test/fixtures";
import { buildVoucherViewModel } from "./index";
import { plain } from "./text";

const build = (over = {}, locale: "es" | "en" = "es", at?: string) =>
  buildVoucherViewModel(sampleInput(over), { clock: clockAt(at), locale });

describe("buildVoucherViewModel", () => {
  it("fills amount, grouped CIP, Lima deadline and the remaining time", () => {
    const vm = build();
    expect(vm.amountText).toBe("S/ 149.90");
    expect(vm.cipGrouped).toBe("249 53 83");
    expect(vm.deadlineText).toBe("martes 24 de noviembre, 10:15 a. m.");
    expect(vm.expiresAtLimaIso).toBe("2026-11-24T10:15:00-05:00");
    expect(vm.remainingMs).toBe(48 * 3600 * 1000);
    expect(vm.currencyOption).toBe("Soles");
    expect(vm.status).toBe("pending");
    expect(vm.copyVersion).toMatch(/^es-/);
    expect(vm.channelsVersion).toBeTruthy();
  });

  it("tells dollar payers to pick Dólares in the bank app, also in English", () => {
    const vm = build({ amount: money(2500, "USD") }, "en");
    expect(vm.amountText).toBe("US$ 25.00");
    expect(vm.currencyOption).toBe("Dólares");
    const bcp = vm.channelGroups[0]!.channels.find((c) => c.id === "bcp")!;
    expect(bcp.steps!.map(plain).join(" ")).toContain("choose Dólares");
    expect(vm.deadlineText).toBe("Tuesday, November 24, 10:15 AM");
  });

  it("lists every bank and agent from the contract by default, each bank with steps", () => {
    const vm = build();
    const online = vm.channelGroups.find((g) => g.id === "online")!;
    const agents = vm.channelGroups.find((g) => g.id === "agents")!;
    expect(online.channels.map((c) => c.name)).toEqual([
      "BBVA",
      "BCP",
      "Interbank",
      "Scotiabank",
      "BanBif",
      "Caja Arequipa",
    ]);
    expect(agents.channels).toHaveLength(13);
    const steps = online.channels[1]!.steps!.map(plain);
    expect(steps[0]).toContain("BCP");
    expect(steps.join(" ")).toContain("PagoEfectivo");
    expect(steps.join(" ")).toContain("escoge Soles");
    expect(steps.join(" ")).toContain("249 53 83");
    expect(plain(agents.steps[1]!)).toBe("Di que es un pago a PagoEfectivo.");
    // The values a shopper must type or hand over are emphasised.
    expect(agents.steps[2]!.find((p) => p.strong)?.text).toBe("249 53 83");
  });

  it("honours disabled groups and channels and adapts the first quick step", () => {
    const vm = build({
      enabledChannelGroups: ["agents"],
      disabledChannels: ["tambo", "agents.bcp"],
    });
    expect(vm.channelGroups.map((g) => g.id)).toEqual(["agents"]);
    const names = vm.channelGroups[0]!.channels.map((c) => c.name);
    expect(names).not.toContain("Tambo+");
    expect(names).not.toContain("BCP");
    expect(names).toContain("BBVA");
    expect(plain(vm.quickSteps[0]!)).toBe(
      "Ve a un agente o agencia y di que es un pago a PagoEfectivo.",
    );
    const onlineOnly = build({
      disabledChannels: ["agents.bbva"],
      enabledChannelGroups: ["online"],
    });
    expect(plain(onlineOnly.quickSteps[0]!)).not.toMatch(/agente/);
  });

  it("drops a group whose channels are all disabled", () => {
    const vm = build({
      disabledChannels: ["bbva", "bcp", "interbank", "scotiabank", "banbif", "caja-arequipa"],
    });
    expect(vm.channelGroups.map((g) => g.id)).toEqual(["agents"]);
  });

  it("shows a pending CIP past its deadline as expired", () => {
    expect(build({}, "es", "2026-11-24T15:15:00Z").status).toBe("expired");
    expect(build({}, "es", "2026-11-24T15:14:59Z").status).toBe("pending");
    expect(build({ status: "paid" }, "es", "2026-12-01T00:00:00Z").status).toBe("paid");
  });

  it("cleans names: control and bidi characters, whitespace, length", () => {
    const vm = build({
      merchantName: "  Tienda\u202E\nAndina  ",
      shopperFirstName: "Rosa\u0000 María" + "x".repeat(80),
    });
    expect(vm.merchantName).toBe("Tienda Andina");
    expect(vm.shopperFirstName!.startsWith("Rosa María")).toBe(true);
    expect(vm.shopperFirstName!.length).toBeLessThanOrEqual(30);
  });

  it("accepts only data: logos of reasonable size, reporting what it drops", () => {
    const ok = "data:image/png;base64,iVBORw0KGgo=";
    expect(build({ merchantLogoUrl: ok }).merchantLogoDataUrl).toBe(ok);
    const remote = build({ merchantLogoUrl: "https://cdn.example.com/logo.png" });
    expect(remote.merchantLogoDataUrl).toBeUndefined();
    expect(remote.warnings[0]).toMatch(/not_data_url/);
    const big = build({ merchantLogoUrl: `data:image/png;base64,${"A".repeat(20_000)}` });
    expect(big.merchantLogoDataUrl).toBeUndefined();
    expect(big.warnings[0]).toMatch(/too_large/);
  });

  it("refuses input an adapter must never send, listing every issue", () => {
    try {
      build({
        cip: "24953.83",
        merchantName: " ",
        returnUrl: "javascript:alert(1)",
        statusUrl: "//evil.example/status",
        expiresAt: new Date("nope"),
      });
      throw new Error("expected a ValidationError");
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const fields = (err as ValidationError).issues.map((i) => i.field).sort();
      expect(fields).toEqual(["cip", "expiresAt", "merchantName", "returnUrl", "statusUrl"]);
    }
  });

  it("omits optional parts that were not given", () => {
    const vm = build({
      cipUrl: undefined,
      shopperFirstName: undefined,
      returnUrl: undefined,
      chooseAnotherMethodUrl: undefined,
      statusUrl: undefined,
    });
    expect(vm.cipUrl).toBeUndefined();
    expect(vm.shopperFirstName).toBeUndefined();
    expect(vm.statusUrl).toBeUndefined();
    expect(vm.expiresAt).toBe(EXPIRES);
  });
});
