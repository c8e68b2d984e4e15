import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav";

// The admin console's frame: its sections. Every page authorizes itself through the data layer.
export default function AdminLayout({ children }: { children: ReactNode }) {
  return (
    <div className="admin stack">
      <AdminNav />
      {children}
    </div>
  );
}
