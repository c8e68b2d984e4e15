// zod at the boundary: parse or throw an AppError (400) that names each problem.
import "server-only";
import type { z } from "zod";
import { AppError } from "./app-error";

export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown, code: "invalid_input" | "unprocessable" = "invalid_input"): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join(".") || "(input)", message: issue.message }));
  const summary = issues.map((issue) => (issue.path === "(input)" ? issue.message : `${issue.path}: ${issue.message}`)).join("; ");
  throw new AppError(code, summary, issues);
}
