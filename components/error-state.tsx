import type { PageError } from "@/server/http/page-guard";

const TITLES: Record<number, string> = {
  400: "That request could not be understood",
  403: "Not permitted",
  409: "That change conflicts with the current state",
  422: "That change was refused",
  503: "Temporarily unavailable",
};

/** A readable error panel for a page whose data could not be served. */
export function ErrorState({ error }: { error: PageError }) {
  return (
    <div className="notice notice--error" role="alert">
      <strong>{TITLES[error.status] ?? "Something went wrong"}</strong>
      <p>{error.message}</p>
      {error.issues.length > 1 ? (
        <ul>
          {error.issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>
              <code>{issue.path}</code>: {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
