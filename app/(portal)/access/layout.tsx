import type { ReactNode } from "react";

// The request area shares the admin console's form and card styles (the `admin` class scopes them);
// each page asks the data layer for itself.
export default function AccessLayout({ children }: { children: ReactNode }) {
  return <div className="admin stack">{children}</div>;
}
