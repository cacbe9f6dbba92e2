/** posts.list|get|create|update|delete|publish over blog_posts */
import { z } from "zod";
import { type ActionContext, tenantAction, Uuid } from "../../_shared/platform/actions.ts";
import { postConditions } from "../../_shared/content/content.ts";
import { crudActions } from "../../_shared/platform/crud.ts";
import { ApiError } from "../../_shared/platform/http.ts";

const Status = z.enum(["draft", "scheduled", "published", "archived"]);
const Slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "lowercase words joined by hyphens").max(
  200,
);

export const PostFields = z.object({
  title: z.string().trim().min(1).max(500),
  slug: Slug.optional().describe("Derived from the title when omitted"),
  excerpt: z.string().max(2000).optional(),
  content: z.string().max(500_000).optional(),
  status: Status.optional(),
  author: z.string().max(200).optional(),
  tags: z.array(z.string().min(1).max(100)).max(50).optional(),
  featured_image: z.url().max(2000).optional(),
  seo_title: z.string().max(200).optional(),
  seo_description: z.string().max(500).optional(),
  scheduled_for: z.iso.datetime({ offset: true }).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
}).strict();

const PostFilters = z.object({
  status: Status.optional(),
  tag: z.string().max(100).optional(),
  author: z.string().max(200).optional(),
  search: z.string().min(1).max(200).optional().describe(
    "Matches title or excerpt (case-insensitive)",
  ),
  slug: Slug.optional(),
}).strict();

/** A URL slug from a title: lowercase ASCII words joined by hyphens. */
export function slugify(title: string): string {
  const slug = title.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 200).replace(/-+$/, "");
  return slug || "post";
}

export const postActions = {
  ...crudActions({
    resource: "posts",
    table: "blog_posts",
    noun: "post",
    create: PostFields,
    filters: PostFilters,
    prepare: (p) => ({
      ...p,
      slug: p.slug ?? slugify(p.title),
      published_at: p.status === "published" ? new Date() : undefined,
    }),
    where: postConditions,
  }),
  "posts.publish": tenantAction({
    description:
      "Publish a post now (status published, published_at set). Writes blog_posts.UPDATE to event_log.",
    scope: { resource: "posts", access: "write" },
    params: z.object({ id: Uuid }),
    returns: "post",
    handler: async ({ tx }: ActionContext, { id }: { id: string }) => {
      const [row] = await tx`
        update public.blog_posts set status = 'published', published_at = coalesce(published_at, now())
        where id = ${id} returning *`;
      if (!row) throw new ApiError("NOT_FOUND", `No post with id ${id}`);
      return row;
    },
  }),
};
