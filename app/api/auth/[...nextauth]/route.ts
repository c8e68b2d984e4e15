// GET, POST /api/auth/* — Auth.js protocol endpoints (sign-in, callback, sign-out).
import { handlers } from "@/server/auth";

export const dynamic = "force-dynamic";
export const { GET, POST } = handlers;
