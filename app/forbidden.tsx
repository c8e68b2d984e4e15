import { ForbiddenCard } from "@/components/refusal-cards";

export default function Forbidden() {
  return (
    <main id="main" className="page page--narrow" style={{ paddingTop: "8vh" }}>
      <ForbiddenCard />
    </main>
  );
}
