import { parseCsv } from "./csv";

describe("parseCsv", () => {
  it("reads quoted fields, escaped quotes, CRLF, a BOM and a missing final newline", () => {
    expect(parseCsv('\uFEFFa,b,c\r\n1,"x,y","say ""hi"""\r\n2,,"multi\nline"')).toEqual({
      columns: ["a", "b", "c"],
      rows: [
        { a: "1", b: "x,y", c: 'say "hi"' },
        { a: "2", b: "", c: "multi\nline" },
      ],
    });
  });

  it("ignores blank lines and accepts a header-only file", () => {
    expect(parseCsv("a,b\n\n1,2\n\n")).toEqual({ columns: ["a", "b"], rows: [{ a: "1", b: "2" }] });
    expect(parseCsv("a,b\r\n")).toEqual({ columns: ["a", "b"], rows: [] });
  });

  it.each([
    ["empty", ""],
    ["unterminated quote", 'a\n"x'],
    ["text after a closing quote", 'a,b\n"x"y,1'],
    ["short row", "a,b\n1"],
    ["long row", "a,b\n1,2,3"],
  ])("refuses %s", (_n, text) => {
    expect(parseCsv(text)).toBeNull();
  });
});
