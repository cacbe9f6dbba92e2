/**
 * Writes .env.local for the local stack: a JWT secret kept in .local/ (created once), the
 * anon and service-role keys signed with it (as Supabase's are), the database URL, and an Ora
 * API key for the seeded demo tenant (issued when missing; only its hash is stored).
 *
 *   deno run --allow-all scripts/local-env.ts
 */
import * as jose from "jose";
import postgres from "postgres";
import { generateKey } from "../supabase/functions/_shared/keys/keys.ts";

const root = new URL("../", import.meta.url).pathname;
const local = `${root}.local`;
const dbPort = Deno.env.get("ORA_DB_PORT") ?? "54322";
const fnPort = Deno.env.get("ORA_FUNCTIONS_PORT") ?? "54321";
const dbUrl = `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres`;
export const DEMO_TENANT_ID = "00000000-0000-4000-a000-000000000001";

function readOr(path: string, make: () => string): string {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    const value = make();
    Deno.writeTextFileSync(path, value + "\n", { mode: 0o600 });
    return value;
  }
}

const jwtSecret = readOr(`${local}/jwt-secret`, () => {
  const bytes = crypto.getRandomValues(new Uint8Array(48));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replaceAll(
    "=",
    "",
  );
});

// Fixed claims make the keys a pure function of the secret: restarts keep the same keys.
const ISSUED_AT = 1_767_225_600; // 2026-01-01
async function sign(role: string): Promise<string> {
  // like Supabase's API keys (iss "supabase"); user tokens carry the Auth URL (ORA_JWT_ISSUER)
  return await new jose.SignJWT({ role, iss: "supabase" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(ISSUED_AT)
    .setExpirationTime(ISSUED_AT + 20 * 365 * 86400)
    .sign(new TextEncoder().encode(jwtSecret));
}

const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
try {
  // Reuse the demo key while the database still knows it; issue a new one after a reset.
  let demoKey = "";
  try {
    demoKey = Deno.readTextFileSync(`${local}/demo-key`).trim();
  } catch { /* none yet */ }
  const prefix = /^ora_([a-z0-9]{8})_/.exec(demoKey)?.[1];
  const known = prefix
    ? (await sql`select 1 from public.api_keys where key_prefix = ${prefix} and is_active`).length
    : 0;
  if (!known) {
    const k = await generateKey();
    await sql`
      insert into public.api_keys (tenant_id, name, key_prefix, key_hash, scopes, rate_limit_per_minute, rate_limit_per_day, created_by)
      values (${DEMO_TENANT_ID}, 'demo (npm start)', ${k.prefix}, ${k.hash}, ${[
      "*",
    ]}, 6000, 1000000, 'local-env')`;
    demoKey = k.key;
    Deno.writeTextFileSync(`${local}/demo-key`, demoKey + "\n", { mode: 0o600 });
  }

  const env: Record<string, string> = {
    SUPABASE_URL: `http://127.0.0.1:${fnPort}`,
    SUPABASE_ANON_KEY: await sign("anon"),
    SUPABASE_SERVICE_ROLE_KEY: await sign("service_role"),
    SUPABASE_DB_URL: dbUrl,
    ORA_JWT_SECRET: jwtSecret,
    // user access tokens must carry this issuer, as Supabase Auth's do (<project URL>/auth/v1)
    ORA_JWT_ISSUER: `http://127.0.0.1:${fnPort}/auth/v1`,
    ORA_API_KEY: demoKey,
    // Local development talks to loopback services (Ollama, the tests' scripted LLM); a hosted
    // project leaves this unset, so no tenant can reach private addresses there.
    ORA_OUTBOUND_ALLOW: "127.0.0.1,::1,localhost",
    ORA_DEMO_TENANT_ID: DEMO_TENANT_ID,
  };
  const text = "# Written by npm start for the local stack. Do not commit.\n" +
    Object.entries(env).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
  Deno.writeTextFileSync(`${root}.env.local`, text, { mode: 0o600 });
} finally {
  await sql.end();
}
