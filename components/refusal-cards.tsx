// The not-found and forbidden pages' cards: shown in a page of their own
// (app/not-found.tsx, app/forbidden.tsx, with their own <main>) or inside the
// portal's layout, whose <main> already holds them (app/(portal)/…).
import Link from "next/link";

export function NotFoundCard() {
  return (
    <div className="card stack">
      <h1>Not found</h1>
      <p>There is nothing here, or nothing you may see.</p>
      <p>
        <Link href="/">Back to your access overview</Link>
      </p>
    </div>
  );
}

export function ForbiddenCard() {
  return (
    <div className="card stack">
      <h1>Not permitted</h1>
      <p>Your roles do not allow this page. The attempt has been recorded in the audit trail.</p>
      <p>
        <Link href="/">Back to your access overview</Link>
      </p>
    </div>
  );
}
