"use server";
// Thin server actions for the portal chrome; the data layer does the checks.
import { redirect } from "next/navigation";
import { signOut } from "@/server/auth";
import { endSession } from "@/server/data/end-session";

export async function signOutAction(): Promise<void> {
  await endSession();
  await signOut({ redirect: false });
  redirect("/signin?signedOut=1");
}
