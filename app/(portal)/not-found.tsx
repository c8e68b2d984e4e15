// notFound() in a portal page: inside the portal layout's <main> (app/not-found.tsx brings its own, which nested a second one here).
import { NotFoundCard } from "@/components/refusal-cards";

export default function PortalNotFound() {
  return (
    <div className="page--narrow" style={{ margin: "0 auto", paddingTop: "8vh" }}>
      <NotFoundCard />
    </div>
  );
}
