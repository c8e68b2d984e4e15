import { NotFoundCard } from "@/components/refusal-cards";

export default function NotFound() {
  return (
    <main id="main" className="page page--narrow" style={{ paddingTop: "8vh" }}>
      <NotFoundCard />
    </main>
  );
}
