"use client";
// A GET form whose URL stays compact: on submit it navigates to the form's
// fields without the blank ones, list parameters joined (`kind=a,b`) and
// defaults left out (lib/telemetry/search-params.ts compactFormParams). Without
// JavaScript it is a plain GET form, and the page drops the blanks itself.
import { useRouter } from "next/navigation";
import type { FormEvent, ReactNode } from "react";
import { announceNavigation } from "@/components/portal-main";
import { navigationLabel, pendingNavigationTarget } from "@/lib/http/navigation-pending";
import { compactFormParams, withQuery } from "@/lib/telemetry/search-params";

export type CompactGetFormProps = {
  action: string;
  /** values that are the default and need not travel (`limit`: "50"; `columns`: the default columns, comma-separated) */
  defaults?: Readonly<Record<string, string>>;
  className?: string;
  "aria-label": string;
  children: ReactNode;
};

export function CompactGetForm({ action, defaults, className, children, ...rest }: CompactGetFormProps) {
  const router = useRouter();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const entries = [...new FormData(event.currentTarget).entries()].flatMap(([key, value]) => (typeof value === "string" ? [[key, value] as [string, string]] : []));
    const href = withQuery(action, compactFormParams(entries, defaults));
    const target = pendingNavigationTarget(href, window.location.href);
    if (target) announceNavigation(navigationLabel(target.pathname));
    router.push(href);
  };
  return (
    <form method="get" action={action} className={className} aria-label={rest["aria-label"]} onSubmit={submit}>
      {children}
    </form>
  );
}
