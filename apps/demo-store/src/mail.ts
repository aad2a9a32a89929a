import express, { type Request, type Response, type Router } from "express";
import { z } from "zod";
import { html, limaShort, page } from "./html";

/**
 * The shoppers' mail inbox. Nothing is sent: the apps (and the demo store's own "platform"
 * mails) POST messages here and the inbox page lists them.
 *
 *   POST /mail/messages  {"to","subject","html"?,"text"?,"from"?}  → 201 {"id"}
 *   GET  /mail/messages  → JSON list (newest first), GET /mail → page, GET /mail/:id → one message
 */
export interface MailMessage {
  id: number;
  to: string;
  from: string;
  subject: string;
  html?: string;
  text?: string;
  receivedAt: string;
}

export const mailInputSchema = z
  .object({
    to: z.string().trim().min(3).max(320),
    from: z.string().trim().max(320).optional(),
    subject: z.string().trim().min(1).max(500),
    html: z.string().max(2_000_000).optional(),
    text: z.string().max(500_000).optional(),
  })
  .refine((m) => m.html !== undefined || m.text !== undefined, {
    message: "html or text is required",
    path: ["html"],
  });

export type MailInput = z.infer<typeof mailInputSchema>;

export class MailBox {
  private nextId = 1;
  readonly messages: MailMessage[] = [];
  constructor(private readonly now: () => Date) {}

  add(input: MailInput): MailMessage {
    const msg: MailMessage = {
      id: this.nextId++,
      to: input.to,
      from: input.from ?? "tienda@demo.local",
      subject: input.subject,
      ...(input.html !== undefined ? { html: input.html } : {}),
      ...(input.text !== undefined ? { text: input.text } : {}),
      receivedAt: this.now().toISOString(),
    };
    this.messages.push(msg);
    return msg;
  }

  get(id: number): MailMessage | undefined {
    return this.messages.find((m) => m.id === id);
  }
}

export function createMailRouter(box: MailBox): Router {
  const router = express.Router();

  router.post("/mail/messages", express.json({ limit: "3mb" }), (req: Request, res: Response) => {
    const parsed = mailInputSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({
        code: "invalid_message",
        message: "Se esperaba JSON {to, subject, html|text}.",
        issues: parsed.error.issues.map((i) => ({ field: i.path.join("."), message: i.message })),
      });
      return;
    }
    const msg = box.add(parsed.data);
    res.status(201).json({ id: msg.id });
  });

  router.get("/mail/messages", (_req, res) => {
    res.json([...box.messages].reverse());
  });

  router.get("/mail", (_req, res) => {
    const rows = [...box.messages].reverse();
    res.type("html").send(
      page(
        { title: "Correo de los compradores", section: "mail" },
        html`<div class="card">
          <p class="muted">
            Mensajes que la tienda y las apps enviaron a los compradores. Nada sale de esta máquina.
            Las apps publican aquí con <code>POST /mail/messages</code>.
          </p>
          ${
            rows.length === 0
              ? html`<p>No hay mensajes todavía.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th>Recibido (hora de Lima)</th>
                      <th>Para</th>
                      <th>Asunto</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${rows.map(
                      (m) =>
                        html`<tr>
                          <td>${limaShort(new Date(m.receivedAt))}</td>
                          <td>${m.to}</td>
                          <td><a href="/mail/${m.id}">${m.subject}</a></td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
        </div>`,
      ),
    );
  });

  router.get("/mail/:id", (req, res) => {
    const id = Number(req.params.id);
    const msg = Number.isSafeInteger(id) ? box.get(id) : undefined;
    if (!msg) {
      res
        .status(404)
        .type("html")
        .send(
          page(
            { title: "Mensaje no encontrado", section: "mail" },
            html`<p><a href="/mail">Volver al correo</a></p>`,
          ),
        );
      return;
    }
    res.type("html").send(
      page(
        { title: msg.subject, section: "mail" },
        html`<div class="card">
          <p>
            <strong>Para:</strong> ${msg.to}<br /><strong>De:</strong> ${msg.from}<br />
            <strong>Recibido:</strong> ${limaShort(new Date(msg.receivedAt))} (hora de Lima)
          </p>
          ${
            msg.html !== undefined
              ? html`<iframe
                  title="Contenido del mensaje"
                  sandbox=""
                  srcdoc="${msg.html}"
                ></iframe>`
              : ""
          }
          ${
            msg.text !== undefined
              ? html`<h2>Texto</h2>
                  <pre style="white-space:pre-wrap">${msg.text}</pre>`
              : ""
          }
          <p><a href="/mail">Volver al correo</a></p>
        </div>`,
      ),
    );
  });
  return router;
}
