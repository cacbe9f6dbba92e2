/** posts.list|get|create|update|delete|publish over blog_posts */
import { z } from "zod";
import { type ActionContext, tenantAction, Uuid } from "../../_shared/platform/actions.ts";
import {
  POST_STATUSES,
  postConditions,
  PostFields,
  PostSlug,
  preparePost,
  slugify,
} from "../../_shared/content/content.ts";
import { crudActions } from "../../_shared/platform/crud.ts";
import { ApiError } from "../../_shared/platform/http.ts";

const Status = z.enum(POST_STATUSES);
const Slug = PostSlug;

export { PostFields, slugify };

const PostFilters = z.object({
  status: Status.optional(),
  tag: z.string().max(100).optional(),
  author: z.string().max(200).optional(),
  search: z.string().min(1).max(200).optional().describe(
    "Matches title or excerpt (case-insensitive)",
  ),
  slug: Slug.optional(),
}).strict();

export const postActions = {
  ...crudActions({
    resource: "posts",
    table: "blog_posts",
    noun: "post",
    create: PostFields,
    filters: PostFilters,
    prepare: preparePost,
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
