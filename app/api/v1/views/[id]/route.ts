// GET /api/v1/views/{id} — open a saved view: its query fitted to the caller's scope, with what was left out named; audited.
// DELETE /api/v1/views/{id} — delete one of the caller's own views, audited.
import { deleteView } from "@/server/data/views/change-view";
import { openView } from "@/server/data/views/open-view";
import { respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => openView({ id: (await params).id }));
}

export async function DELETE(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return respond(async () => {
    await deleteView({ id: (await params).id });
    return { deleted: true };
  });
}
