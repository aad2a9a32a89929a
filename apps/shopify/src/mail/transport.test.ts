import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { smtpTransport } from "./transport";

/** Just enough SMTP for nodemailer: counts connections and received messages. */
function smtpSink() {
  const seen = { connections: 0, messages: [] as string[] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    seen.connections += 1;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.setEncoding("utf8");
    let buffer = "";
    let inData = false;
    socket.write("220 sink ESMTP\r\n");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          seen.messages.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.write("250 queued\r\n");
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) return;
        const verb = buffer.slice(0, 4).toUpperCase();
        buffer = buffer.slice(eol + 2);
        if (verb === "EHLO") socket.write("250-sink\r\n250 8BITMIME\r\n");
        else if (verb === "DATA") {
          inData = true;
          socket.write("354 go ahead\r\n");
        } else if (verb === "QUIT") socket.end("221 bye\r\n");
        else socket.write("250 ok\r\n");
      }
    });
  });
  return {
    seen,
    async start() {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return (server.address() as AddressInfo).port;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const message = (n: number) => ({
  to: "rosa.quispe@example.pe",
  subject: `Tu código de pago ${n}`,
  html: `<p>CIP ${n}</p>`,
  text: `CIP ${n}`,
});

describe("smtpTransport", () => {
  it("keeps its connection for the next messages (pooled)", async () => {
    const sink = smtpSink();
    const port = await sink.start();
    const mail = smtpTransport(`smtp://127.0.0.1:${port}`, "Tienda <no-reply@tienda.pe>");
    try {
      for (let n = 1; n <= 3; n++) await mail.send(message(n));
      expect(sink.seen.messages).toHaveLength(3);
      expect(sink.seen.messages[2]).toContain("CIP 3");
      expect(sink.seen.connections).toBe(1);
    } finally {
      mail.close?.();
      await sink.close();
    }
  });

  it("opens a connection per message with ?pool=false", async () => {
    const sink = smtpSink();
    const port = await sink.start();
    const mail = smtpTransport(`smtp://127.0.0.1:${port}/?pool=false`, "no-reply@tienda.pe");
    try {
      for (let n = 1; n <= 2; n++) await mail.send(message(n));
      expect(sink.seen.messages).toHaveLength(2);
      expect(sink.seen.connections).toBe(2);
    } finally {
      mail.close?.();
      await sink.close();
    }
  });
});
