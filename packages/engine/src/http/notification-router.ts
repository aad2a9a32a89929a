import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { Database } from "../db/database";
import type { PaymentEngine } from "../ports";
import { MAX_NOTIFICATION_BYTES } from "../notifications/ingest-notification";
import { checkLiveness, checkReadiness } from "./health";

const TOKEN = /^[A-Za-z0-9_-]{32,128}$/;

/**
 * `POST /notifications/pagoefectivo/:token` for any Express app embedding the engine. The body
 * is read raw (express.raw, whatever the content type) because the signature covers the exact
 * bytes; the engine answers the status. Body-parser failures (too large, aborted) become 4xx.
 */
export function createNotificationRouter(
  engine: Pick<PaymentEngine, "ingestNotification">,
): Router {
  const router = express.Router();
  router.post(
    "/notifications/pagoefectivo/:token",
    express.raw({ type: () => true, limit: MAX_NOTIFICATION_BYTES }),
    async (req: Request, res: Response) => {
      const token = String(req.params.token ?? "");
      if (!TOKEN.test(token)) {
        res.status(404).json({ status: "unknown_tenant" });
        return;
      }
      const body: Uint8Array = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        const result = await engine.ingestNotification({
          notificationToken: token,
          rawBody: body,
          headers: req.headers,
        });
        res.status(result.httpStatus).json({ status: result.outcome });
      } catch {
        // ingestNotification does not throw for input; this is an infrastructure failure.
        res.status(503).json({ status: "unavailable" });
      }
    },
  );
  router.use(
    "/notifications/pagoefectivo",
    (err: unknown, _req: Request, res: Response, next: NextFunction) => {
      const status = (err as { status?: unknown })?.status;
      if (typeof status === "number" && status >= 400 && status < 500) {
        res.status(status).json({ status: "invalid" });
        return;
      }
      next(err);
    },
  );
  return router;
}

/** `GET /healthz` and `GET /readyz`. */
export function createHealthRouter(db: Database): Router {
  const router = express.Router();
  router.get("/healthz", (_req, res) => {
    const a = checkLiveness();
    res.status(a.status).json(a.body);
  });
  router.get("/readyz", async (_req, res) => {
    const a = await checkReadiness(db);
    res.status(a.status).json(a.body);
  });
  return router;
}

/**
 * A ready Express app with the notification endpoint, /healthz and /readyz, for apps (and
 * benchmarks) that serve nothing else on that port.
 */
export function createEngineHttpApp(
  engine: Pick<PaymentEngine, "ingestNotification">,
  db: Database,
): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(createHealthRouter(db));
  app.use(createNotificationRouter(engine));
  return app;
}
