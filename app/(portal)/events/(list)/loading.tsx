// Shown while the server runs the explorer's query.
export default function EventsLoading() {
  return (
    <div className="stack explorer" aria-busy="true">
      <div className="page-head">
        <div>
          <h1>Events</h1>
          <p className="subtle">Loading events…</p>
        </div>
      </div>
      <div className="card skeleton" style={{ height: "9rem" }} />
      <div className="table-wrap skeleton-table" role="status">
        <span className="visually-hidden">Loading events</span>
        {Array.from({ length: 8 }, (_, index) => (
          <div key={index} className="skeleton skeleton-row" />
        ))}
      </div>
    </div>
  );
}
