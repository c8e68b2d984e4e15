// Read replicas (DATABASE_REPLICA_URLS): where telemetry reads run. Only the
// telemetry rows themselves are read here; the person, grants and revocation
// are resolved, and the audit row is written and committed, on the primary
// (server/access/audited.ts), so the data is served only after the primary
// committed the audit row — a replica changes where rows come from, never who
// may see them or whether the access is recorded.
//
// A replica is used while its last check (at most REPLICA_CHECK_MS old) found
// it in recovery, reachable and no more than REPLICA_MAX_LAG_SECONDS behind
// the primary. A replica that fails a read is marked down at once and the read
// runs again on the primary: the caller sees no error. Health is exported on
// /metrics (portal_replica_healthy, portal_replica_lag_seconds).
import "server-only";
import { getEnv } from "@/server/config/env";
import type { Prisma } from "@/server/db/generated/client";
import { getPrisma } from "@/server/db/client";
import { getMetrics } from "@/server/observability/metrics";
import { connectDatabase, type Database } from "./connect";

/** What a telemetry read needs: raw queries (a transaction client, the client, or a replica's client). */
export type TelemetryReader = Pick<Prisma.TransactionClient, "$queryRaw" | "$queryRawUnsafe">;

/** How long a replica's health check is trusted before the next read checks again. */
export const REPLICA_CHECK_MS = 1_000;
/** A replica's check or connection that takes longer than this counts as unreachable. */
const REPLICA_CONNECT_TIMEOUT_MS = 2_000;

type Health = { healthy: boolean; lagSeconds: number | null; checkedAt: number };

class Replica {
  private database: Promise<Database> | null = null;
  private health: Health = { healthy: false, lagSeconds: null, checkedAt: 0 };
  private checking: Promise<Health> | null = null;

  constructor(
    readonly label: string,
    private readonly url: string,
    private readonly poolSize: number,
  ) {}

  client(): Promise<Database> {
    this.database ??= connectDatabase({ databaseUrl: this.url, pgliteDataDir: "", poolSize: this.poolSize, connectTimeoutMs: REPLICA_CONNECT_TIMEOUT_MS, preparedStatements: getEnv().DATABASE_PREPARED_STATEMENTS });
    return this.database;
  }

  /** Healthy now? Checks again when the last check is older than REPLICA_CHECK_MS (one check at a time). */
  async isHealthy(maxLagSeconds: number, primaryLsn: () => Promise<string>): Promise<boolean> {
    if (Date.now() - this.health.checkedAt < REPLICA_CHECK_MS) return this.health.healthy;
    this.checking ??= this.check(maxLagSeconds, primaryLsn).finally(() => {
      this.checking = null;
    });
    return (await this.checking).healthy;
  }

  markDown(): void {
    this.record({ healthy: false, lagSeconds: null, checkedAt: Date.now() });
  }

  private async check(maxLagSeconds: number, primaryLsn: () => Promise<string>): Promise<Health> {
    try {
      const lsn = await primaryLsn();
      const { prisma } = await this.client();
      // Caught up with the primary's WAL position as it was just now: no lag.
      // Behind it: the age of the last transaction the replica replayed.
      const [row] = await prisma.$queryRaw<Array<{ in_recovery: boolean; lag_seconds: number | null }>>`
        SELECT pg_is_in_recovery() AS in_recovery,
               CASE WHEN pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn THEN 0
                    ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 END AS lag_seconds`;
      // A server that is not in recovery is no replica of this primary (a promoted one has diverged): skipped.
      const lagSeconds = row?.in_recovery ? Math.max(0, row.lag_seconds ?? Number.POSITIVE_INFINITY) : null;
      return this.record({ healthy: lagSeconds !== null && lagSeconds <= maxLagSeconds, lagSeconds, checkedAt: Date.now() });
    } catch {
      return this.record({ healthy: false, lagSeconds: null, checkedAt: Date.now() });
    }
  }

  private record(health: Health): Health {
    this.health = health;
    const metrics = getMetrics();
    metrics.replicaHealthy.set({ replica: this.label }, health.healthy ? 1 : 0);
    metrics.replicaLagSeconds.set({ replica: this.label }, health.lagSeconds === null || !Number.isFinite(health.lagSeconds) ? -1 : health.lagSeconds);
    return health;
  }

  async close(): Promise<void> {
    const pending = this.database;
    this.database = null;
    if (pending) await (await pending.catch(() => null))?.close();
  }
}

/** The replicas of one primary, used in turn. */
export class ReplicaSet {
  private readonly replicas: Replica[];
  private next = 0;

  constructor(
    urls: readonly string[],
    private readonly options: { maxLagSeconds: number; poolSize: number; primary: () => Promise<TelemetryReader> },
  ) {
    this.replicas = urls.map((url) => new Replica(labelOf(url), url, options.poolSize));
  }

  /** The next healthy replica in turn, or null when none is (then reads use the primary). */
  async pick(): Promise<Replica | null> {
    const primaryLsn = async () => {
      const [row] = await (await this.options.primary()).$queryRaw<Array<{ lsn: string }>>`SELECT pg_current_wal_lsn()::text AS lsn`;
      if (!row) throw new Error("the primary reported no WAL position");
      return row.lsn;
    };
    for (let tried = 0; tried < this.replicas.length; tried += 1) {
      const replica = this.replicas[(this.next + tried) % this.replicas.length];
      if (replica && (await replica.isHealthy(this.options.maxLagSeconds, primaryLsn))) {
        this.next = (this.next + tried + 1) % this.replicas.length;
        return replica;
      }
    }
    return null;
  }

  /**
   * Runs `read` on a healthy replica, else on `primary` (the caller's
   * transaction). A replica that fails the read (stopped, restarted, a
   * recovery conflict) is marked down and the read runs on the primary.
   */
  async read<T>(primary: TelemetryReader, read: (reader: TelemetryReader) => Promise<T>): Promise<T> {
    const replica = await this.pick();
    if (replica) {
      try {
        const value = await read((await replica.client()).prisma);
        getMetrics().telemetryReads.inc({ target: replica.label });
        return value;
      } catch (error) {
        replica.markDown();
        console.warn(`Read replica ${replica.label} failed a read; reading from the primary until its next check: ${error instanceof Error ? error.message.split("\n").at(-1) : String(error)}`);
        const value = await read(primary);
        getMetrics().telemetryReads.inc({ target: "primary-fallback" });
        return value;
      }
    }
    const value = await read(primary);
    getMetrics().telemetryReads.inc({ target: "primary" });
    return value;
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.close()));
  }
}

/** host:port/database, never credentials: the replica's name in logs and metrics. */
function labelOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
}

const globalKey = Symbol.for("telemetry-portal.replicas");
type GlobalWithReplicas = typeof globalThis & { [globalKey]?: ReplicaSet | null };

/** The process's replicas from DATABASE_REPLICA_URLS (null: none configured). */
function replicaSet(): ReplicaSet | null {
  const holder = globalThis as GlobalWithReplicas;
  if (holder[globalKey] === undefined) {
    const env = getEnv();
    const urls = env.DATABASE_REPLICA_URLS ?? [];
    holder[globalKey] =
      urls.length > 0 ? new ReplicaSet(urls, { maxLagSeconds: env.REPLICA_MAX_LAG_SECONDS, poolSize: env.DATABASE_POOL_SIZE, primary: getPrisma }) : null;
  }
  return holder[globalKey];
}

/** Replaces the process's replicas (tests, and an operator script that wants its own); null: none. Closes the previous ones. */
export async function configureReplicas(set: ReplicaSet | null): Promise<void> {
  const holder = globalThis as GlobalWithReplicas;
  const previous = holder[globalKey];
  holder[globalKey] = set;
  await previous?.close();
}

/**
 * Runs a telemetry read on a replica when one is configured and healthy,
 * else on `primary` (pass the gate's transaction). Only for telemetry rows:
 * never for the person, grants, sessions or the audit trail.
 */
export function readTelemetry<T>(primary: TelemetryReader, read: (reader: TelemetryReader) => Promise<T>): Promise<T> {
  const set = replicaSet();
  return set ? set.read(primary, read) : read(primary);
}
