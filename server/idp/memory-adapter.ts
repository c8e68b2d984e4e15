// In-memory storage for oidc-provider's models (sessions, interactions, grants,
// codes, tokens). One store per provider instance; everything is lost on
// restart, which is what the demo IdP wants. Our own instead of the library's
// quick-start adapter so that the IdP starts without its "MUST change" warning
// and so that two providers in one process (tests) do not share state.
import type { Adapter, AdapterFactory, AdapterPayload } from "oidc-provider";

type Entry = { payload: AdapterPayload; expiresAt: number };

// Models whose records belong to a grant and die with it (revokeByGrantId).
const GRANT_BOUND_MODELS = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
]);

const SWEEP_INTERVAL_MS = 60_000;

export class MemoryStore {
  private readonly entries = new Map<string, Entry>();
  /** session uid -> session id */
  private readonly sessionUids = new Map<string, string>();
  /** user code -> device code id */
  private readonly userCodes = new Map<string, string>();
  /** grant id -> keys of the records issued under it */
  private readonly grantMembers = new Map<string, Set<string>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly clockToleranceSeconds = 0) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** The factory oidc-provider's `adapter` option expects. */
  readonly factory: AdapterFactory = (model) => new ModelAdapter(this, model);

  get(key: string): AdapterPayload | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  set(model: string, key: string, payload: AdapterPayload, expiresIn: number | undefined): void {
    this.delete(key);
    const expiresAt =
      typeof expiresIn === "number" ? Date.now() + (expiresIn + this.clockToleranceSeconds) * 1000 : Infinity;
    this.entries.set(key, { payload, expiresAt });
    if (model === "Session" && payload.uid) this.sessionUids.set(payload.uid, idOf(key));
    if (payload.userCode) this.userCodes.set(payload.userCode, idOf(key));
    if (GRANT_BOUND_MODELS.has(model) && payload.grantId) this.addGrantMember(payload.grantId, key);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const { uid, userCode, grantId } = entry.payload;
    if (uid && this.sessionUids.get(uid) === idOf(key)) this.sessionUids.delete(uid);
    if (userCode && this.userCodes.get(userCode) === idOf(key)) this.userCodes.delete(userCode);
    if (grantId) this.grantMembers.get(grantId)?.delete(key);
  }

  sessionIdForUid(uid: string): string | undefined {
    return this.sessionUids.get(uid);
  }

  idForUserCode(userCode: string): string | undefined {
    return this.userCodes.get(userCode);
  }

  revokeGrant(grantId: string): void {
    const members = this.grantMembers.get(grantId);
    this.grantMembers.delete(grantId);
    for (const key of members ?? []) this.delete(key);
  }

  /** Stops the background sweep; call when the provider shuts down. */
  dispose(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.sessionUids.clear();
    this.userCodes.clear();
    this.grantMembers.clear();
  }

  private addGrantMember(grantId: string, key: string): void {
    const members = this.grantMembers.get(grantId) ?? new Set<string>();
    members.add(key);
    this.grantMembers.set(grantId, members);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.delete(key);
    }
  }
}

// Keys are "<model>:<id>"; ids never contain the model prefix.
function idOf(key: string): string {
  return key.slice(key.indexOf(":") + 1);
}

class ModelAdapter implements Adapter {
  constructor(
    private readonly store: MemoryStore,
    private readonly model: string,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    this.store.set(this.model, this.key(id), payload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.store.get(this.key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = this.store.sessionIdForUid(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = this.store.idForUserCode(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id: string): Promise<void> {
    const payload = this.store.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.store.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.store.revokeGrant(grantId);
  }
}
