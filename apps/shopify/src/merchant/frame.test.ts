import { AppProvider, Button } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { createElement as h, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { NamedSubmit } from "./frame";

const render = (el: ReactElement) => renderToStaticMarkup(h(AppProvider, { i18n: en }, el));
const button = (html: string) => /<button class="([^"]+)"[^>]*>(.*?)<\/button>/.exec(html)!;

describe("NamedSubmit", () => {
  it.each([false, true])("looks like Polaris's own Button (primary: %s)", (primary) => {
    const polaris = button(
      render(h(Button, { submit: true, variant: primary ? "primary" : undefined }, "Save")),
    );
    const ours = button(
      render(h(NamedSubmit, { name: "action", value: "save", primary, children: "Save" })),
    );
    expect(ours[1]).toBe(polaris[1]);
    expect(ours[2]).toBe(polaris[2]);
  });

  it("sends its name and value, which Polaris's Button cannot", () => {
    const html = render(h(NamedSubmit, { name: "action", value: "check", children: "Test" }));
    expect(html).toContain('type="submit" name="action" value="check"');
  });
});
