/**
 * Minimal RFC 4180 reader for the settlement CSV (header row, comma separated, UTF-8, optional
 * BOM, CRLF or LF, double-quoted fields with "" escapes). Returns null on a structural error
 * (unterminated quote, a row wider or narrower than the header) so the caller can report a
 * malformed response.
 */
export interface ParsedCsv {
  columns: string[];
  rows: Record<string, string>[];
}

export function parseCsv(text: string): ParsedCsv | null {
  const records = splitRecords(text.startsWith("\uFEFF") ? text.slice(1) : text);
  if (records === null) return null;
  const nonEmpty = records.filter((r) => !(r.length === 1 && r[0] === ""));
  const [header, ...body] = nonEmpty;
  if (!header) return null;
  const columns = header.map((c) => c.trim());
  const rows: Record<string, string>[] = [];
  for (const record of body) {
    if (record.length !== columns.length) return null;
    const row: Record<string, string> = {};
    columns.forEach((c, i) => (row[c] = record[i]!));
    rows.push(row);
  }
  return { columns, rows };
}

function splitRecords(text: string): string[][] | null {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let inQuotes = false;
  let quotedField = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += ch;
      continue;
    }
    if (ch === '"' && field === "" && !quotedField) {
      inQuotes = true;
      quotedField = true;
    } else if (ch === ",") {
      record.push(field);
      field = "";
      quotedField = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      quotedField = false;
    } else if (quotedField) {
      return null; // text after a closing quote
    } else field += ch;
  }
  if (inQuotes) return null;
  if (field !== "" || record.length > 0 || quotedField) {
    record.push(field);
    records.push(record);
  }
  return records;
}
