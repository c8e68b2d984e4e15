import type { ReactNode } from "react";
import { AppHeader, type HeaderViewer } from "@/components/app-header";
import { PortalMain } from "@/components/portal-main";
import { permittedKinds, visibleFieldClasses } from "@/lib/access/policy";
import { getViewer } from "@/server/data/get-viewer";
import { isAppError } from "@/server/http/app-error";
import { signOutAction } from "./actions";

// Every page behind sign-in is rendered per request, never cached.
export const dynamic = "force-dynamic";

async function headerViewer(): Promise<HeaderViewer | null> {
  // The layout only decorates: each page asks the data layer for itself.
  try {
    const viewer = await getViewer({ allowWithoutGrant: true });
    return {
      name: viewer.name,
      email: viewer.email,
      roles: viewer.roles,
      canBrowse: permittedKinds(viewer.scope).length > 0,
      purpose: viewer.purpose,
      sees: visibleFieldClasses(viewer.scope),
    };
  } catch (error) {
    if (isAppError(error)) return null;
    throw error;
  }
}

export default async function PortalLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <AppHeader viewer={await headerViewer()} signOut={signOutAction} />
      <PortalMain>{children}</PortalMain>
    </>
  );
}
