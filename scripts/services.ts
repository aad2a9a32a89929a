/** The processes `pnpm start` runs locally, in start order. Ports are the documented defaults. */
export interface LocalService {
  name: string;
  /** Entry file relative to the repository root. */
  entry: string;
  port: number;
  healthPath: string;
  /** What a newcomer should do first with this service. */
  hint: string;
  env?: Record<string, string>;
}

export const SANDBOX_PORT = Number(process.env.PE_SANDBOX_PORT ?? 4010);

export const localServices: LocalService[] = [
  {
    name: "PagoEfectivo sandbox",
    entry: "apps/sandbox/src/main.ts",
    port: SANDBOX_PORT,
    healthPath: "/healthz",
    hint: "Agente simulado: paga o vence un CIP",
    env: { PE_SANDBOX_PORT: String(SANDBOX_PORT) },
  },
];
