/**
 * Deterministic embeddings for the scripted OpenAI-protocol server (POST /v1/embeddings), built
 * so paraphrases land near each other: every word is mapped to a concept (synonyms share one),
 * every concept to a fixed pseudo-random unit vector, and a text's embedding is the normalised sum
 * of its concepts. "car maintenance schedule" and "automobile service plan" share every concept
 * and no word; unrelated texts are nearly orthogonal, as with a real model.
 */
import { fnv1a, mulberry32 } from "../_shared/platform/seeded.ts";

const SYNONYMS: string[][] = [
  ["car", "cars", "automobile", "automobiles", "vehicle", "vehicles", "auto"],
  ["maintenance", "service", "servicing", "upkeep", "maintain"],
  ["schedule", "plan", "timetable", "calendar", "planning"],
  ["pump", "pumps", "impeller"],
  ["vibration", "vibrations", "shaking", "oscillation", "tremor"],
  ["bearing", "bearings"],
  ["temperature", "heat", "hot", "overheating", "thermal", "overheat"],
  ["failure", "failures", "breakdown", "fault", "malfunction", "broke", "broken"],
  ["customer", "customers", "client", "clients", "buyer"],
  ["email", "mail", "e-mail", "emails", "inbox"],
  ["phone", "call", "calls", "telephone", "ring"],
  ["prefer", "prefers", "like", "likes", "favour", "favor", "wants", "want"],
  ["invoice", "invoices", "bill", "billing"],
  ["price", "cost", "pricing", "costs"],
  ["shutdown", "stop", "halt", "outage"],
  ["safety", "hazard", "danger", "risk"],
  ["lubrication", "grease", "oil", "lubricant"],
  ["contacted", "contact", "reach", "reached"],
  ["fleet", "fleets"],
  ["quarterly", "quarter"],
  ["cleaning", "janitorial"],
  ["contract", "agreement"],
];

const CONCEPT = new Map<string, string>();
for (const group of SYNONYMS) for (const w of group) CONCEPT.set(w, group[0]);

const STOP = new Set(
  "a an and are as at be but by for from has have in is it its of on or that the this to was were will with our we be"
    .split(
      " ",
    ),
);

const conceptCache = new Map<string, Float64Array>();
function conceptVector(concept: string, dims: number): Float64Array {
  const key = `${dims}:${concept}`;
  let v = conceptCache.get(key);
  if (!v) {
    const r = mulberry32(fnv1a(concept));
    v = new Float64Array(dims);
    for (let i = 0; i < dims; i++) v[i] = r() * 2 - 1;
    conceptCache.set(key, v);
  }
  return v;
}

/** The concepts of a text (synonyms merged, stop words out). */
export function concepts(text: string): string[] {
  const words = text.toLowerCase().match(/[a-z0-9]+(?:-[a-z0-9]+)*/g) ?? [];
  return words.filter((w) => !STOP.has(w)).map((w) => CONCEPT.get(w) ?? w);
}

/** A deterministic embedding where paraphrases (same concepts, other words) are close. */
export function conceptEmbedding(text: string, dims = 384): number[] {
  const sum = new Float64Array(dims);
  for (const c of concepts(text)) {
    const v = conceptVector(c, dims);
    for (let i = 0; i < dims; i++) sum[i] += v[i];
  }
  let norm = 0;
  for (const x of sum) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  if (norm === 1 && sum.every((x) => x === 0)) sum[0] = 1;
  return Array.from(sum, (x) => x / norm);
}

/** Cosine similarity of two vectors. */
export function cosine(a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / (Math.sqrt(na) * Math.sqrt(nb) || 1);
}

export interface EmbeddingsBody {
  model: string;
  input: string | string[];
  dimensions?: number;
  encoding_format?: "float" | "base64";
}

export interface EmbedRecorded {
  n: number;
  at: number;
  body: EmbeddingsBody;
  inputs: string[];
}

export interface EmbedStep {
  latencyMs?: number;
  status?: number;
  headers?: Record<string, string>;
  /** Vectors to answer with; default: conceptEmbedding of each input. */
  vectors?: number[][];
}

export type EmbedScript = (req: EmbedRecorded) => EmbedStep | Promise<EmbedStep>;

/** Answers one POST /v1/embeddings from the script (default: concept embeddings). */
export async function answerEmbeddings(
  body: EmbeddingsBody,
  rec: EmbedRecorded,
  script: EmbedScript,
): Promise<Response> {
  const step = await script(rec);
  if (step.latencyMs) await new Promise((r) => setTimeout(r, step.latencyMs));
  if (step.status && step.status >= 400) {
    return Response.json({ error: { message: `scripted ${step.status}`, type: "scripted" } }, {
      status: step.status,
      headers: step.headers,
    });
  }
  const dims = body.dimensions ?? 384;
  const vectors = step.vectors ?? rec.inputs.map((t) => conceptEmbedding(t, dims));
  const encode = (v: number[]) => {
    if (body.encoding_format !== "base64") return v;
    const bytes = new Uint8Array(new Float32Array(v).buffer);
    return btoa(String.fromCharCode(...bytes));
  };
  const tokens = rec.inputs.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
  return Response.json({
    object: "list",
    data: vectors.map((v, index) => ({ object: "embedding", index, embedding: encode(v) })),
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  }, { headers: step.headers });
}
