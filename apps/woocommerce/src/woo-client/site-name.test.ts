import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { fetchSiteName } from "./site-name";

const server = setupServer(
  http.get("https://tienda.example.pe/wp-json/", () =>
    HttpResponse.json({ name: "Bodega  Rosa &amp; Hijos", namespaces: ["wc/v3"] }),
  ),
  http.get("https://sin-nombre.example.pe/wp-json/", () => HttpResponse.json({ name: "  " })),
  http.get("https://caida.example.pe/wp-json/", () => new HttpResponse("no", { status: 503 })),
  http.get("https://html.example.pe/wp-json/", () => new HttpResponse("<html>")),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

test("the name WordPress publishes, unescaped and trimmed", async () => {
  expect(await fetchSiteName("https://tienda.example.pe/")).toBe("Bodega Rosa & Hijos");
});

test("no usable name: null, never an error", async () => {
  expect(await fetchSiteName("https://sin-nombre.example.pe")).toBeNull();
  expect(await fetchSiteName("https://caida.example.pe")).toBeNull();
  expect(await fetchSiteName("https://html.example.pe")).toBeNull();
});
