import Link from "next/link";
import { PURPOSE_LABELS, type Purpose, type Role } from "@/lib/telemetry/vocabulary";

export type HeaderViewer = {
  name: string;
  email: string;
  roles: Role[];
  canBrowse: boolean;
  purpose: Purpose | null;
};

/** Navigation shows what the person's grants allow; the data layer still decides every request. */
export function AppHeader({ viewer, signOut }: { viewer: HeaderViewer | null; signOut: () => Promise<void> }) {
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <Link href="/" className="brand">
          Telemetry Portal<small>Copilot editor telemetry</small>
        </Link>
        {viewer ? (
          <nav className="nav" aria-label="Main">
            {viewer.canBrowse ? <Link href="/events">Events</Link> : null}
            {viewer.roles.includes("admin") ? <Link href="/admin/people">Access list</Link> : null}
            {viewer.roles.includes("auditor") ? <Link href="/audit">Audit trail</Link> : null}
            {viewer.roles.includes("auditor") ? <Link href="/audit/delivery">SIEM delivery</Link> : null}
            <Link href="/access">My access</Link>
            <Link href="/access/requests">Requests</Link>
          </nav>
        ) : null}
        <span className="header-spacer" />
        {viewer ? (
          <div className="who">
            {viewer.canBrowse ? (
              <Link
                href="/purpose"
                className={viewer.purpose ? "purpose-pill" : "purpose-pill purpose-pill--missing"}
                title="Change the declared purpose of this session"
              >
                Purpose: {viewer.purpose ? PURPOSE_LABELS[viewer.purpose] : "not declared"}
              </Link>
            ) : null}
            <span>
              {viewer.name} <span aria-hidden="true">·</span> <span className="mono">{viewer.email}</span>
            </span>
            <form action={signOut}>
              <button type="submit" className="button button--quiet">
                Sign out
              </button>
            </form>
          </div>
        ) : null}
      </div>
    </header>
  );
}
