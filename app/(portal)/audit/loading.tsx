export default function Loading() {
  return (
    <p className="subtle" role="status">
      Loading the audit trail…
    </p>
  );
}
