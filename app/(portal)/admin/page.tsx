import { redirect } from "next/navigation";

// /admin opens the access list.
export default function AdminIndex() {
  redirect("/admin/people");
}
