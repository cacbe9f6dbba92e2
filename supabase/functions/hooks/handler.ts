/**
 * hooks: `POST /functions/v1/hooks/<automation id>` fires a webhook-triggered automation with the
 * request's JSON body as trigger.data. Requests are signed per Standard Webhooks (webhook-id,
 * webhook-timestamp, webhook-signature: HMAC-SHA256 over "id.timestamp.body" with the
 * automation's whsec_ secret), verified before anything is recorded; a timestamp more than five
 * minutes off is refused, and a webhook-id seen before is answered without firing again.
 * Unknown hooks and bad signatures get the same 401, so the endpoint reveals nothing.
 */
import { Webhook } from "standardwebhooks";
import { gateway, type GatewayDeps } from "../_shared/platform/gateway.ts";
import { ApiError, json, parseJsonText, readBody } from "../_shared/platform/http.ts";

const MAX_BODY = 256 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const unauthorized = () =>
  new ApiError(
    "UNAUTHORIZED",
    "Webhook signature invalid, too old, or for an unknown hook: sign with the automation's whsec_ secret per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)",
  );

/** Builds the hooks fetch handler. */
export function createHooksHandler(deps: Omit<GatewayDeps, "name">) {
  const { db } = deps;
  return gateway({ ...deps, name: "hooks" }, async (scope) => {
    const req = scope.req;
    if (req.method !== "POST") {
      throw new ApiError(
        "METHOD_NOT_ALLOWED",
        "POST a signed JSON body to /functions/v1/hooks/<automation id>",
      );
    }
    scope.action = "hooks.receive";
    const id = new URL(req.url).pathname.split("/").filter(Boolean).pop() ?? "";
    const headers = {
      "webhook-id": req.headers.get("webhook-id") ?? "",
      "webhook-timestamp": req.headers.get("webhook-timestamp") ?? "",
      "webhook-signature": req.headers.get("webhook-signature") ?? "",
    };
    if (!UUID.test(id) || Object.values(headers).some((v) => v === "" || v.length > 2000)) {
      throw unauthorized();
    }
    const body = new TextDecoder().decode(await readBody(req, MAX_BODY));

    const [hook] = await db.service((tx) =>
      tx<{ tenant_id: string; secret: string; status: string }[]>`
        select tenant_id, secret, status from app.automation_hook_secret(${id})`
    );
    if (!hook) throw unauthorized();
    try {
      new Webhook(hook.secret).verify(body, headers);
    } catch {
      throw unauthorized();
    }
    const data = body.trim() === "" ? {} : parseJsonText(body);

    const result = await db.service(async (tx) => {
      const [seen] = await tx<{ fresh: boolean }[]>`
        select app.automation_hook_accept(${id}, ${headers["webhook-id"]}) as fresh`;
      if (!seen.fresh) return { status: "duplicate", webhook_id: headers["webhook-id"] };
      const trigger = {
        type: "webhook",
        data,
        webhook: { id: headers["webhook-id"], timestamp: headers["webhook-timestamp"] },
        chain: [],
      };
      const [r] = await tx`select app.automation_fire(${hook.tenant_id}, ${id}, ${
        tx.json(trigger as never)
      }, '{}') as r`;
      return r.r;
    }, { tenant_id: hook.tenant_id });
    return json({ data: result, requestId: scope.requestId }, 202, scope.requestId);
  });
}
