/**
 * The tool registry: every tool an agent (or an API client through tools.execute) can call, as a
 * contract. There are no open-ended tools (no raw SQL, shell or fetch-any-URL): each tool does
 * one named thing with validated arguments, and the gate decides whether it runs.
 *
 * LLMs see a tool under a function name without dots (cmms.create_work_order →
 * cmms__create_work_order: OpenAI function names allow letters, digits, _ and - only).
 */
import { z } from "zod";
import type { ToolSpec } from "../llm/types.ts";
import { INDUSTRIAL_TOOLS } from "./catalog/industrial.ts";
import { SITE_TOOLS } from "./catalog/site.ts";
import type { ToolDef } from "./types.ts";

function build(...groups: ToolDef[][]): ReadonlyMap<string, ToolDef> {
  const map = new Map<string, ToolDef>();
  for (const t of groups.flat()) {
    if (map.has(t.name)) throw new Error(`Tool ${t.name} is registered twice`);
    if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$/.test(t.name)) {
      throw new Error(`Invalid tool name ${t.name}: lowercase words, one optional dot`);
    }
    if (t.integration === "site" ? !t.site && !t.direct : !t.sandbox) {
      throw new Error(
        `Tool ${t.name} has no ${t.integration === "site" ? "site" : "sandbox"} behaviour`,
      );
    }
    if (t.direct && (t.access !== "read" || t.integration !== "site" || t.site)) {
      throw new Error(`Tool ${t.name}: only site reads may run outside a transaction (direct)`);
    }
    map.set(t.name, t);
  }
  return map;
}

/** Every registered tool by name. */
export const TOOLS: ReadonlyMap<string, ToolDef> = build(SITE_TOOLS, INDUSTRIAL_TOOLS);

/** The function name an LLM sees for a tool. */
export function llmName(tool: string): string {
  return tool.replaceAll(".", "__");
}

const BY_LLM_NAME = new Map([...TOOLS.keys()].map((n) => [llmName(n), n]));

/** The registry name behind a function name an LLM called (or the name itself when unknown). */
export function toolName(fn: string): string {
  return BY_LLM_NAME.get(fn) ?? fn;
}

/** Whether an allowlist (agents.allowed_tools) allows `tool`: exact names or `<integration>.*`. */
export function isAllowed(allowlist: readonly string[], tool: string): boolean {
  const prefix = tool.includes(".") ? `${tool.split(".")[0]}.*` : null;
  return allowlist.some((a) => a === tool || (prefix !== null && a === prefix));
}

/** JSON Schema of a tool's arguments (what the LLM and the schema document get). */
export function argumentsSchema(t: ToolDef): Record<string, unknown> {
  const { $schema: _s, ...schema } = z.toJSONSchema(t.params, {
    io: "input",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return schema;
}

/** Tool specs (OpenAI function format) for an agent: allowed, registered and not disabled. */
export function toolSpecsFor(
  allowed: readonly string[],
  disabled: readonly string[] = [],
): ToolSpec[] {
  return [...TOOLS.values()]
    .filter((t) => isAllowed(allowed, t.name) && !disabled.includes(t.name))
    .map((t) => ({
      type: "function",
      function: {
        name: llmName(t.name),
        description: `${t.description}${
          t.access === "write" ? " (changes things: may need a person's approval)" : ""
        }`,
        parameters: argumentsSchema(t),
      },
    }));
}

/** A tool as tools.list and the ora schema document describe it. */
export function describeTool(t: ToolDef) {
  return {
    name: t.name,
    llm_name: llmName(t.name),
    description: t.description,
    access: t.access,
    risk: t.risk,
    integration: t.integration,
    parameters: argumentsSchema(t),
  };
}

/** The registry as published in the ora schema document (`GET /functions/v1/ora`, key `tools`). */
export function toolCatalogDocument() {
  return Object.fromEntries(
    [...TOOLS.values()].sort((a, b) => a.name.localeCompare(b.name)).map((t) => {
      const { name, ...rest } = describeTool(t);
      return [name, rest];
    }),
  );
}
