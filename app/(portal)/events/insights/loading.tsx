// Shown while the server computes the charts.
export default function InsightsLoading() {
  return (
    <div className="stack explorer" aria-busy="true">
      <div className="page-head">
        <div>
          <h1>Event charts</h1>
          <p className="subtle">Computing the charts…</p>
        </div>
      </div>
      <div className="charts-grid" role="status">
        <span className="visually-hidden">Loading charts</span>
        {Array.from({ length: 4 }, (_, index) => (
          <div key={index} className="card skeleton" style={{ height: "18rem" }} />
        ))}
      </div>
    </div>
  );
}
