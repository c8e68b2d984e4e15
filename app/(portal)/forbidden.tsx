// forbidden() in a portal page: inside the portal layout's <main> (app/forbidden.tsx brings its own, which nested a second one here).
import { ForbiddenCard } from "@/components/refusal-cards";

export default function PortalForbidden() {
  return (
    <div className="page--narrow" style={{ margin: "0 auto", paddingTop: "8vh" }}>
      <ForbiddenCard />
    </div>
  );
}
