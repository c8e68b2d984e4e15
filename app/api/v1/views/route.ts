// GET /api/v1/views — the saved views the caller may open (their own and their groups'), audited.
// POST /api/v1/views — save a view ({ name, visibility: personal|group, group?, query }), audited; 400/422 name the field.
import { listViews } from "@/server/data/views/list-views";
import { saveView } from "@/server/data/views/save-view";
import { jsonError, jsonOk, readJson, respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET() {
  return respond(async () => ({ items: await listViews() }));
}

export async function POST(request: Request) {
  try {
    return jsonOk(await saveView(await readJson(request, "views.save")), { status: 201 });
  } catch (error) {
    return jsonError(error);
  }
}
