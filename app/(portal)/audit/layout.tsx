import type { ReactNode } from "react";
import { AuditNav } from "@/components/audit/audit-nav";

// The audit console's frame: its sections. Every page authorizes itself through the data layer.
export default function AuditLayout({ children }: { children: ReactNode }) {
  return (
    <div className="audit stack">
      <AuditNav />
      {children}
    </div>
  );
}
