import nodemailer from "nodemailer";

export interface MailAttachment {
  filename: string;
  contentType: string;
  cid: string;
  content: Buffer;
}

export interface MailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments?: MailAttachment[];
}

/** Where voucher e-mails go: SMTP in production, a capture locally. */
export interface MailTransport {
  readonly kind: "smtp" | "http-capture" | "memory";
  send(message: MailMessage): Promise<void>;
  close?(): void;
}

/**
 * SMTP through nodemailer, e.g. `smtps://user:pass@smtp.example.com:465`.
 *
 * Pooled: every voucher e-mail would otherwise open its own connection (TCP and TLS handshakes,
 * EHLO, AUTH, QUIT), which costs the app more CPU than composing the message. The pool keeps a
 * few connections open, closes them after 4 idle minutes and re-queues a message whose connection
 * the server dropped. `?pool=false` in the URL turns it off.
 */
export function smtpTransport(smtpUrl: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 4 });
  return {
    kind: "smtp",
    async send(m) {
      await transporter.sendMail({
        from,
        to: m.to,
        subject: m.subject,
        html: m.html,
        text: m.text,
        attachments: (m.attachments ?? []).map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          cid: a.cid,
          content: a.content,
          contentDisposition: "inline" as const,
        })),
      });
    },
    close: () => transporter.close(),
  };
}

/**
 * Local development: POSTs `{to, subject, html, text}` as JSON to a mail catcher (the demo
 * store's `POST /mail/messages`). Attachments are left out; the HTML still shows the CIP as text.
 */
export function httpCaptureTransport(
  url: string,
  doFetch: typeof fetch = (...a) => fetch(...a),
): MailTransport {
  return {
    kind: "http-capture",
    async send(m) {
      const res = await doFetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ to: m.to, subject: m.subject, html: m.html, text: m.text }),
        signal: AbortSignal.timeout(5_000),
      });
      if (!res.ok) throw new Error(`mail capture answered HTTP ${res.status}`);
    },
  };
}

export interface CapturedMail extends MailMessage {
  id: number;
  at: Date;
}

/** Keeps the last `capacity` messages in memory; viewable at /dev/mail outside production. */
export function memoryTransport(capacity = 200): MailTransport & { messages: CapturedMail[] } {
  const messages: CapturedMail[] = [];
  let next = 1;
  return {
    kind: "memory",
    messages,
    async send(m) {
      messages.push({ ...m, id: next++, at: new Date() });
      if (messages.length > capacity) messages.shift();
    },
  };
}
