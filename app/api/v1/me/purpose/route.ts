// PUT /api/v1/me/purpose — declare the purpose of this session ({ purpose, detail? }).
import { getViewer } from "@/server/data/get-viewer";
import { setPurpose } from "@/server/data/set-purpose";
import { readJson, respond } from "@/server/http/api-response";

export const dynamic = "force-dynamic";

export function PUT(request: Request) {
  return respond(async () => {
    await setPurpose(await readJson(request, "session.purpose_set"));
    return getViewer();
  });
}
