import type { NextRequest } from "next/server";
import { getPerson } from "@/server/data/admin/get-person";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

// GET /api/v1/admin/people/:id — one person with their grants' history.
export async function GET(_request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return respond(() => getPerson({ personId: id }));
}
