// The disclosure receipt's query ("who has seen data of machine X?"), shared
// by /audit/disclosures and GET /api/v1/audit/disclosures. Read as every list
// reads its query (lib/http/query-params.ts): an unknown or repeated parameter
// and a bad value are each a 400 naming the parameter. A machine id is the
// pseudonymous id as stored (at most MAX_METADATA_LENGTH characters: what the
// intake stores and audit rows' machine_ids carry). Safe on both sides.
import { fromSearchParams, queryObject, textParam } from "@/lib/http/query-params";
import { MAX_METADATA_LENGTH } from "@/lib/telemetry/metadata";

const machineIdParam = textParam(MAX_METADATA_LENGTH);

/** The page: the form may be empty (nothing asked yet). */
export const disclosureFormSchema = fromSearchParams(queryObject({ machineId: machineIdParam }));

/** The API: a machine id is required. */
export const disclosureQuerySchema = fromSearchParams(
  queryObject({ machineId: machineIdParam }).superRefine((value, ctx) => {
    if (value.machineId === undefined) ctx.addIssue({ code: "custom", path: ["machineId"], message: "is required: the pseudonymous machine id to report on" });
  }),
);
