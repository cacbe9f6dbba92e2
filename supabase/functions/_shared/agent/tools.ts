/**
 * The tools agents may call are the registry's (../tools/registry.ts): site tools (leads,
 * posts, tasks, notifications, spawn_agents, get_time) and the industrial integrations (CMMS,
 * SCADA, historian, ERP, notify, HSE, compliance). An agent is offered those named in its
 * allowed_tools that its tenant has not switched off; every call passes the gate
 * (../tools/gate.ts) inside the session's recorded steps (../tools/agent.ts).
 */
export { isAllowed, llmName, toolName, TOOLS, toolSpecsFor } from "../tools/registry.ts";
