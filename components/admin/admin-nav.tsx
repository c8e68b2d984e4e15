"use client";
// The admin console's sections. Shown to admins; each page still asks the data layer.
import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "/admin/people", label: "People" },
  { href: "/admin/groups", label: "Group scopes" },
  { href: "/admin/break-glass", label: "Break-glass on-call" },
  { href: "/admin/purposes", label: "Purposes" },
  { href: "/admin/expiring", label: "Expiring soon" },
  { href: "/access/reviews", label: "Access reviews" },
  { href: "/admin/import-export", label: "Import / export" },
  { href: "/admin/ingestion-keys", label: "Ingestion keys" },
  { href: "/admin/scim-tokens", label: "SCIM tokens" },
  { href: "/admin/erasure", label: "Erasure" },
] as const;

export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav className="admin-nav" aria-label="Access list sections">
      {SECTIONS.map((section) => {
        const current = pathname === section.href || pathname.startsWith(`${section.href}/`);
        return (
          <Link key={section.href} href={section.href} aria-current={current ? "page" : undefined}>
            {section.label}
          </Link>
        );
      })}
    </nav>
  );
}
