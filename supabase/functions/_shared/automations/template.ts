/**
 * `{{ path }}` variables in action configs (seed 000 "Variables"). A string that is exactly one
 * variable takes the variable's value as is (objects stay objects); variables inside longer text
 * are written as text (objects as JSON). `{{ path ?? "fallback" }}` gives a default. A path that
 * does not exist is never rendered blank: rendering reports it and the action fails with
 * MISSING_VARIABLE, naming the path.
 */
import type { Classifiable, Classified } from "../queue/classify.ts";
import { lookup } from "../platform/conditions.ts";

const VAR =
  /\{\{\s*([A-Za-z_$][\w$.\[\]-]*)\s*(?:\?\?\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)\s*)?\}\}/g;
const WHOLE = new RegExp(`^${VAR.source}$`);

/** An action referenced variables the run's context does not have. */
export class MissingVariableError extends Error implements Classifiable {
  constructor(readonly paths: string[]) {
    super(
      `Missing variable${paths.length > 1 ? "s" : ""}: ${
        paths.map((p) => `{{ ${p} }}`).join(", ")
      } (not in the run's context; give a default with {{ path ?? "…" }})`,
    );
    this.name = "MissingVariableError";
  }
  classify(): Classified {
    return { kind: "final", code: "MISSING_VARIABLE", message: this.message };
  }
}

function resolve(ctx: unknown, path: string, fallback: string | undefined, missing: string[]) {
  const l = lookup(ctx, path);
  if (l.found && l.value !== undefined) return l.value;
  if (fallback !== undefined) return JSON.parse(fallback);
  missing.push(path);
  return undefined;
}

function asText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}

function walk(value: unknown, ctx: unknown, missing: string[], depth: number): unknown {
  if (depth > 64) throw new Error("Template nested too deeply");
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return resolve(ctx, whole[1], whole[2], missing);
    return value.replace(
      VAR,
      (_m, path: string, fallback?: string) => asText(resolve(ctx, path, fallback, missing)),
    );
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, ctx, missing, depth + 1));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, walk(v, ctx, missing, depth + 1)]),
    );
  }
  return value;
}

/** Renders every `{{ path }}` in `value` against `ctx`; the paths that were missing. */
export function renderWith(value: unknown, ctx: unknown): { value: unknown; missing: string[] } {
  const missing: string[] = [];
  const out = walk(value, ctx, missing, 0);
  return { value: out, missing: [...new Set(missing)] };
}

/** Renders `value`, throwing MissingVariableError when a variable is missing. */
export function render<T = unknown>(value: T, ctx: unknown): T {
  const r = renderWith(value, ctx);
  if (r.missing.length > 0) throw new MissingVariableError(r.missing);
  return r.value as T;
}
