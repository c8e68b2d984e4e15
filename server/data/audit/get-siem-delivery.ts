// The SIEM delivery status for auditors (audit.delivery_view): per sink, its
// state, how far it is delivered, its lag and its last error
// (server/siem/sink-status.ts). Destinations never carry a token.
import "server-only";
import { audited } from "@/server/access/audited";
import { getEnv } from "@/server/config/env";
import { readSinkStates } from "@/server/siem/delivery-store";
import { configuredSinks } from "@/server/siem/siem-config";
import { describeSinks, type SiemSinkStatus } from "@/server/siem/sink-status";

export type SiemDeliveryDto = { sinks: SiemSinkStatus[]; checkedAt: string };

export async function getSiemDelivery(): Promise<SiemDeliveryDto> {
  return audited({ action: "audit.delivery_view", permission: "audit.read", requirePurpose: false, details: { targetType: "siem_delivery" } }, async ({ tx }) => {
    const sinks = describeSinks(configuredSinks(getEnv()), await readSinkStates(tx));
    return { value: { sinks, checkedAt: new Date().toISOString() }, audit: { rowCount: sinks.length } };
  });
}
