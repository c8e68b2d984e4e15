"use client";
// The audit console's sections. Shown to auditors; each page still asks the
// data layer. A section whose page has not landed yet answers 404.
import Link from "next/link";
import { usePathname } from "next/navigation";

export const AUDIT_SECTIONS = [
  { href: "/audit", label: "Trail" },
  { href: "/audit/alerts", label: "Alerts" },
  { href: "/audit/disclosures", label: "Disclosures" },
  { href: "/audit/delivery", label: "Delivery" },
  { href: "/audit/verification", label: "Verification" },
] as const;

/** The trail owns /audit and its rows (/audit/123); every other section its own path. */
export function isCurrentSection(href: string, pathname: string): boolean {
  if (href === "/audit") return pathname === "/audit" || /^\/audit\/\d+$/.test(pathname);
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function AuditNav() {
  const pathname = usePathname();
  return (
    <nav className="admin-nav audit-nav" aria-label="Audit console sections">
      {AUDIT_SECTIONS.map((section) => (
        <Link key={section.href} href={section.href} aria-current={isCurrentSection(section.href, pathname) ? "page" : undefined}>
          {section.label}
        </Link>
      ))}
    </nav>
  );
}
