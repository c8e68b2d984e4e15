// How long a metadata value of a telemetry event may be: machine and session
// ids, versions, OS, event names. The intake stores nothing longer, and what
// it stores must fit everywhere it travels afterwards — the audit rows that
// record a disclosure (their machine_ids) and the auditor's search by machine
// id — or a producer could make every disclosure of its events fail its audit
// row (503). Safe on both sides.
export const MAX_METADATA_LENGTH = 256;
