import type { NextRequest } from "next/server";
import { listPeople } from "@/server/data/admin/list-people";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

// GET /api/v1/admin/people — the access list, filtered, sorted and paged (same query as /admin/people).
export async function GET(request: NextRequest) {
  return respond(() => listPeople(request.nextUrl.searchParams));
}
