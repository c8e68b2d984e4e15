"use client";
// The portal's error page for a failure no page handled itself (pages render
// the data layer's refusals and 503s as their own states): a readable page with
// the error's digest to quote, never Next.js's bare "Application error". The
// digest is what the server logged beside the full error; the message itself is
// not shown (production strips it, and it may name internals).
import Link from "next/link";
import { useEffect, useRef } from "react";

export default function PortalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    // inside the portal layout's <main>: a second main landmark (and a second #main) would confuse assistive technology
    <div className="page--narrow" style={{ margin: "0 auto", paddingTop: "8vh" }}>
      <div className="card stack" role="alert">
        <h1 ref={heading} tabIndex={-1}>
          Something went wrong
        </h1>
        <p>This page could not be shown. Try again, or tell the portal&apos;s operators the reference below.</p>
        {error.digest ? (
          <p>
            Reference: <code>{error.digest}</code>
          </p>
        ) : null}
        <p className="page-head__actions" style={{ alignItems: "center" }}>
          <button type="button" className="button" onClick={() => reset()}>
            Try again
          </button>
          <Link href="/">Back to your access overview</Link>
        </p>
      </div>
    </div>
  );
}
