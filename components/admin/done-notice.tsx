// The notice after a change that reshaped the page (the form that made it is
// gone): the action redirected here with ?done=<what>. Only fixed texts and a
// count travel in the URL, never names or reasons.
const NOTICES = {
  added: "Added. Now grant them a group and a role.",
  extended: "Grant extended.",
  revoked: "Grant revoked.",
  disabled: "Person disabled.",
  enabled: "Person re-enabled. Their grants are as they were: expired and revoked ones stay so.",
  "key-revoked": "Ingestion key revoked: the producer's next batch is refused.",
  "scim-token-revoked": "SCIM token revoked: the identity provider's next request is refused.",
} as const;

export type DoneCode = keyof typeof NOTICES;

type SearchParams = Record<string, string | string[] | undefined>;

export function DoneNotice({ params }: { params: SearchParams }) {
  const done = typeof params.done === "string" && params.done in NOTICES ? (params.done as DoneCode) : null;
  if (!done) return null;
  const sessions = typeof params.sessions === "string" && /^\d{1,4}$/.test(params.sessions) ? Number(params.sessions) : null;
  return (
    <p className="notice notice--ok" role="status">
      {NOTICES[done]}
      {sessions === null ? null : sessions === 0 ? " They had no open session." : ` ${sessions} open session${sessions === 1 ? "" : "s"} ended at once.`}
    </p>
  );
}
