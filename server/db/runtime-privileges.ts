// What the portal's runtime role (DATABASE_URL in production) may do to each
// table, as data: `npm run db:roles` grants exactly this, and the integration
// tests run the data layer as a role holding exactly this. A table the policy
// does not name (a later migration's) gets DEFAULT_TABLE_PRIVILEGES through
// ALTER DEFAULT PRIVILEGES until it is added here; a test fails until it is.
//
// UPDATE and DELETE only where the portal changes rows: sessions, people,
// grants, group scopes, ingestion keys, Auth.js users. Telemetry and the
// intake's mapping tables are append-only or read-only for the portal.
// audit_event: SELECT and INSERT, never more. audit_chain_head: the lock and
// the advance (SELECT … FOR UPDATE needs UPDATE), whose trigger only lets it
// move forward. _prisma_migrations: read, so that start-up can confirm no
// migration is pending without the migration role.
//
// No "server-only": scripts/db-roles.ts uses it.

export const TABLE_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;
export type TablePrivilege = (typeof TABLE_PRIVILEGES)[number];

export type TableGrant = {
  privileges: readonly TablePrivilege[];
  /** UPDATE limited to these columns (column privilege), when set */
  updateColumns?: readonly string[];
};

export const RUNTIME_TABLE_GRANTS: Readonly<Record<string, TableGrant>> = {
  // Partitioned (schema TELEMETRY_PARTITION_SCHEMA): creating and dropping partitions, retention and erasure go
  // through the migration's SECURITY DEFINER functions, each call audited by its caller; never a DELETE of its own.
  telemetry_event: { privileges: ["SELECT", "INSERT"] },
  // per-hour counts derived from telemetry_event (server/telemetry/rollups.ts): its triggers add to them as the intake inserts;
  // retention and erasure subtract before deleting events and remove rows that reach zero
  telemetry_rollup: { privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"] },
  // the same per day: delta rows appended by telemetry_rollup's triggers, folded (deleted and re-appended) by the compaction job
  telemetry_rollup_day: { privileges: ["SELECT", "INSERT", "DELETE"] },
  ingestion_key: { privileges: ["SELECT", "INSERT", "UPDATE"] },
  scim_token: { privileges: ["SELECT", "INSERT", "UPDATE"] },
  event_name_mapping: { privileges: ["SELECT"] },
  property_classification: { privileges: ["SELECT"] },
  known_value: { privileges: ["SELECT"] },
  person: { privileges: ["SELECT", "INSERT", "UPDATE"] },
  access_group: { privileges: ["SELECT", "UPDATE"] },
  // what each purpose lets a session see: read on every request, changed by admins, never added to or removed
  purpose_scope: { privileges: ["SELECT", "UPDATE"], updateColumns: ["field_classes", "justification", "updated_at"] },
  grant: { privileges: ["SELECT", "INSERT", "UPDATE"] },
  // DELETE: a user row left without an identity by a refused link is replaced (server/auth/adapter.ts)
  auth_user: { privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"] },
  auth_account: { privileges: ["SELECT", "INSERT"] },
  auth_session: { privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"] },
  auth_verification_token: { privileges: ["SELECT", "INSERT", "DELETE"] },
  audit_event: { privileges: ["SELECT", "INSERT"] },
  audit_chain_head: { privileges: ["SELECT", "UPDATE"], updateColumns: ["seq", "hash", "updated_at"] },
  _prisma_migrations: { privileges: ["SELECT"] },
  // Saved explorer views (server/data/views/): the owner saves, renames and deletes their own; the query only, never rows.
  saved_view: { privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"], updateColumns: ["name", "updated_at"] },
  intake_rate_bucket: { privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"] },
  // The audit Merkle log (server/audit/checkpoints/): leaves and checkpoints are appended, never changed;
  // the sealer's one state row is locked (SELECT … FOR UPDATE) and moved forward (its trigger refuses going back).
  audit_merkle_leaf: { privileges: ["SELECT", "INSERT"] },
  audit_checkpoint: { privileges: ["SELECT", "INSERT"] },
  // Access requests (server/data/access/): a request's decision is written once (trigger), approvals are appended,
  // a group's named approvers are added and removed by admins, reminders are recorded once each.
  access_request: { privileges: ["SELECT", "INSERT", "UPDATE"], updateColumns: ["status", "decided_at", "decided_by_id", "decision_reason", "grant_id"] },
  access_request_approval: { privileges: ["SELECT", "INSERT"] },
  group_approver: { privileges: ["SELECT", "INSERT", "DELETE"] },
  grant_reminder: { privileges: ["SELECT", "INSERT"] },
  // Access reviews (server/data/access/reviews/): campaigns are opened, reminded and closed once (trigger);
  // an item is decided once and given its outcome once (trigger). Nothing is deleted.
  access_review_campaign: { privileges: ["SELECT", "INSERT", "UPDATE"], updateColumns: ["status", "closes_at", "last_reminded_at", "reminders_sent", "closed_at", "closed_by_id"] },
  access_review_item: { privileges: ["SELECT", "INSERT", "UPDATE"], updateColumns: ["decision", "reason", "decided_by_id", "decided_at", "outcome"] },
  // Break-glass (server/data/access/break-glass/): on-call lists are set by admins; an access row is taken once,
  // then only ended early or post-reviewed (its holder, group, reason and window never change).
  break_glass_on_call: { privileges: ["SELECT", "INSERT", "DELETE"] },
  break_glass_access: {
    privileges: ["SELECT", "INSERT", "UPDATE"],
    updateColumns: ["ended_at", "ended_by_id", "reviewed_at", "reviewed_by_id", "review_outcome", "review_notes"],
  },
  audit_log_state: { privileges: ["SELECT", "UPDATE"], updateColumns: ["tree_size", "frontier", "floor_id", "pending_id", "pending_xmax", "updated_at"] },
  // The notification outbox (server/notify/): written with the change it reports, claimed and marked by the
  // delivery job, deleted NOTIFY_RETENTION_DAYS after delivery or failure. Message columns are never updated.
  // Audit alerts (server/audit/alerts/): alerts are appended, never changed (triggers too); the job's per-chain
  // read cursors are locked and moved forward.
  audit_alert: { privileges: ["SELECT", "INSERT"] },
  audit_alert_cursor: { privileges: ["SELECT", "INSERT", "UPDATE"], updateColumns: ["seq", "updated_at"] },
  notification_outbox: { privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"], updateColumns: ["attempts", "next_attempt_at", "delivered_at", "failed_at", "last_error"] },
  // SIEM delivery (server/siem/): a sink's row is registered, leased and updated with each attempt's
  // outcome; its per-chain cursors are created once and then only moved. Nothing is deleted (an
  // operator removes a retired sink as the migration role).
  siem_sink: {
    privileges: ["SELECT", "INSERT", "UPDATE"],
    updateColumns: ["kind", "destination", "lease_holder", "lease_expires_at", "last_attempt_at", "last_success_at", "last_error", "last_error_at", "failures", "delivered_total"],
  },
  siem_delivery_cursor: { privileges: ["SELECT", "INSERT", "UPDATE"], updateColumns: ["delivered_seq", "updated_at"] },
  // Verification resume points, witnesses' cosignatures of our checkpoints, and what we witnessed for another log: appended, never changed.
  audit_verification: { privileges: ["SELECT", "INSERT"] },
  audit_checkpoint_cosignature: { privileges: ["SELECT", "INSERT"] },
  audit_witnessed_checkpoint: { privileges: ["SELECT", "INSERT"] },
};

/**
 * The job queue's own schema (pg-boss, server/jobs/job-runner.ts). pg-boss
 * creates and alters its tables at run time (a table per queue), so the
 * runtime role owns this schema — it holds queue bookkeeping only, never
 * audit rows or telemetry.
 */
export const JOB_QUEUE_SCHEMA = "pgboss";

/** telemetry_event's partitions (migration 20261203070000_telemetry_partitions): the migration role's, not the runtime role's. */
export const TELEMETRY_PARTITION_SCHEMA = "telemetry_partitions";

/** Tables created after `npm run db:roles` ran, until the policy names them. */
export const DEFAULT_TABLE_PRIVILEGES: readonly TablePrivilege[] = ["SELECT", "INSERT", "UPDATE", "DELETE"];

/** The schema that holds the portal's tables (the migrations create it; connect.ts pins search_path to it). */
export const PORTAL_SCHEMA = "public";
