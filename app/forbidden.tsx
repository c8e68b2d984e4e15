import Link from "next/link";

export default function Forbidden() {
  return (
    <main id="main" className="page page--narrow" style={{ paddingTop: "8vh" }}>
      <div className="card stack">
        <h1>Not permitted</h1>
        <p>Your roles do not allow this page. The attempt has been recorded in the audit trail.</p>
        <p>
          <Link href="/">Back to your access overview</Link>
        </p>
      </div>
    </main>
  );
}
