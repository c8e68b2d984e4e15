// The one transaction budget for every audited transaction (the gate, sign-in,
// sign-out, the operator scripts and the tests that write audit rows). An
// audited transaction queues for a pooled connection and then for its chain
// head's row lock; Prisma's default maxWait (2 s) refused work on a loaded
// 2-core machine that the gate (10 s) served. One constant, so no path is
// stricter than another.
//
// No "server-only": operator scripts and benchmarks use it too.
export const AUDITED_TRANSACTION = { maxWait: 10_000, timeout: 60_000 } as const;
