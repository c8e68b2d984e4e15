// storeEvents without a database: the COPY path consumes the events lazily in
// chunks, a conflict falls back to INSERT … ON CONFLICT with every event (also
// those the COPY never reached), and an error from the events aborts the write.
import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type NormalizedEvent, normalizeEvent } from "./normalize";
import { type CopyWriter, INSERT_EVENTS_SQL, type IngestDb, storeEvents } from "./store-events";
import { DEFAULT_MAPPING } from "./test-mapping";

const KEYS = [{ id: "k1", key: randomBytes(32) }];

function events(count: number): NormalizedEvent[] {
  return Array.from({ length: count }, (_, n) =>
    normalizeEvent(
      { name: "GitHub.copilot/ghostText.shown", time: new Date("2026-11-30T12:00:00Z"), properties: { completionId: `ab-${n}`, prefix: `secret ${n}` }, measurements: { latencyMs: n } },
      { id: randomUUID(), sourceId: null, mapping: DEFAULT_MAPPING, location: null },
    ),
  );
}

/** A database that records the INSERTs it is asked for. */
function recordingDb(): IngestDb & { inserts: unknown[][] } {
  const inserts: unknown[][] = [];
  return {
    inserts,
    $queryRawUnsafe: async () => [] as never,
    $executeRawUnsafe: async (sql: string, json: unknown) => {
      expect(sql).toBe(INSERT_EVENTS_SQL);
      const rows = JSON.parse(String(json)) as unknown[];
      inserts.push(rows);
      return rows.length;
    },
  };
}

describe("storeEvents", () => {
  it("writes with COPY in chunks, one line per event, and no INSERT", async () => {
    const db = recordingDb();
    const chunks: string[] = [];
    const copy: CopyWriter = async (_sql, source) => {
      for (const chunk of source) chunks.push(chunk);
      return chunks.join("").split("\n").length - 1;
    };
    expect(await storeEvents(db, events(250), KEYS, copy)).toBe(250);
    expect(chunks.length).toBe(3);
    expect(db.inserts).toEqual([]);
    expect(chunks.join("")).not.toContain("secret");
  });

  it("on a unique violation, INSERTs every event, also those the COPY had not read yet", async () => {
    const db = recordingDb();
    let read = 0;
    const copy: CopyWriter = async (_sql, source) => {
      for (const _chunk of source) {
        read++;
        throw Object.assign(new Error("duplicate key value violates unique constraint"), { code: "23505" });
      }
      return 0;
    };
    expect(await storeEvents(db, events(250), KEYS, copy)).toBe(250);
    expect(read).toBe(1);
    expect(db.inserts.map((rows) => rows.length)).toEqual([250]);
  });

  it("lets any other COPY failure through, writing nothing else", async () => {
    const db = recordingDb();
    const copy: CopyWriter = async () => {
      throw Object.assign(new Error("connection terminated"), { code: "ECONNRESET" });
    };
    await expect(storeEvents(db, events(3), KEYS, copy)).rejects.toThrow("connection terminated");
    expect(db.inserts).toEqual([]);
  });

  it("aborts when the events throw, through COPY or INSERT alike", async () => {
    const failing = function* () {
      yield* events(150);
      throw new Error("a bug while normalizing");
    };
    let aborted: unknown = null;
    const copy: CopyWriter = async (_sql, source) => {
      try {
        for (const _chunk of source);
      } catch (error) {
        aborted = error;
        throw error;
      }
      return 0;
    };
    const db = recordingDb();
    await expect(storeEvents(db, failing(), KEYS, copy)).rejects.toThrow("a bug while normalizing");
    expect(aborted).toBeInstanceOf(Error);
    await expect(storeEvents(db, failing(), KEYS)).rejects.toThrow("a bug while normalizing");
    expect(db.inserts).toEqual([]);
  });

  it("writes nothing for no events", async () => {
    const db = recordingDb();
    const copy: CopyWriter = async () => {
      throw new Error("not called");
    };
    expect(await storeEvents(db, [], KEYS, copy)).toBe(0);
    expect(db.inserts).toEqual([]);
  });
});
