import Link from "next/link";

export default function NotFound() {
  return (
    <main id="main" className="page page--narrow" style={{ paddingTop: "8vh" }}>
      <div className="card stack">
        <h1>Not found</h1>
        <p>There is nothing here, or nothing you may see.</p>
        <p>
          <Link href="/">Back to your access overview</Link>
        </p>
      </div>
    </main>
  );
}
