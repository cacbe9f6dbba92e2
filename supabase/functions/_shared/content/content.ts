/**
 * The card's content tables (leads, blog posts): their fields and filters, shared by the leads
 * and posts actions and the agents' site tools, so both read and write the tables the same way.
 */
import { z } from "zod";
import { containsPattern } from "../platform/crud.ts";
import type { Fragment, Tx } from "../platform/db.ts";

export const LEAD_STATUSES = ["new", "contacted", "qualified", "converted", "lost"] as const;
export const POST_STATUSES = ["draft", "scheduled", "published", "archived"] as const;

/** Fields of a lead (leads.create, and the leads.create tool). */
export const LeadFields = z.object({
  name: z.string().trim().min(1).max(300),
  email: z.email().max(320).optional(),
  company: z.string().max(300).optional(),
  phone: z.string().max(50).optional(),
  source: z.string().min(1).max(100).optional(),
  status: z.enum(LEAD_STATUSES).optional(),
  ai_score: z.number().int().min(0).max(100).optional(),
  notes: z.string().max(20_000).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
}).strict();

const PostSlug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "lowercase words joined by hyphens")
  .max(200);

/** Fields of a blog post (posts.create, and the posts.create tool). */
export const PostFields = z.object({
  title: z.string().trim().min(1).max(500),
  slug: PostSlug.optional().describe("Derived from the title when omitted"),
  excerpt: z.string().max(2000).optional(),
  content: z.string().max(500_000).optional(),
  status: z.enum(POST_STATUSES).optional(),
  author: z.string().max(200).optional(),
  tags: z.array(z.string().min(1).max(100)).max(50).optional(),
  featured_image: z.url().max(2000).optional(),
  seo_title: z.string().max(200).optional(),
  seo_description: z.string().max(500).optional(),
  scheduled_for: z.iso.datetime({ offset: true }).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
}).strict();
export { PostSlug };

/** A URL slug from a title: lowercase ASCII words joined by hyphens. */
export function slugify(title: string): string {
  const slug = title.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 200).replace(/-+$/, "");
  return slug || "post";
}

/** A post row as it is inserted: the slug derived from the title, published_at when published. */
export function preparePost(p: z.infer<typeof PostFields>): Record<string, unknown> {
  return {
    ...p,
    slug: p.slug ?? slugify(p.title),
    published_at: p.status === "published" ? new Date() : undefined,
  };
}

export interface LeadFilter {
  status?: string;
  source?: string;
  min_score?: number;
  email?: string;
  search?: string;
  created_after?: string;
  created_before?: string;
}

export interface PostFilter {
  status?: string;
  tag?: string;
  author?: string;
  slug?: string;
  search?: string;
}

/** SQL conditions for a lead filter (search matches name, email or company). */
export function leadConditions(tx: Tx, f: LeadFilter): Fragment[] {
  const c: Fragment[] = [];
  if (f.status) c.push(tx`status = ${f.status}`);
  if (f.source) c.push(tx`source = ${f.source}`);
  if (f.min_score !== undefined) c.push(tx`ai_score >= ${f.min_score}`);
  if (f.email) c.push(tx`lower(email) = lower(${f.email})`);
  if (f.search) {
    const like = containsPattern(f.search);
    c.push(tx`(name ilike ${like} or email ilike ${like} or company ilike ${like})`);
  }
  if (f.created_after) c.push(tx`created_at >= ${f.created_after}::timestamptz`);
  if (f.created_before) c.push(tx`created_at < ${f.created_before}::timestamptz`);
  return c;
}

/** SQL conditions for a post filter (search matches title or excerpt). */
export function postConditions(tx: Tx, f: PostFilter): Fragment[] {
  const c: Fragment[] = [];
  if (f.status) c.push(tx`status = ${f.status}`);
  if (f.tag) c.push(tx`${f.tag} = any(tags)`);
  if (f.author) c.push(tx`author = ${f.author}`);
  if (f.slug) c.push(tx`slug = ${f.slug}`);
  if (f.search) {
    const like = containsPattern(f.search);
    c.push(tx`(title ilike ${like} or excerpt ilike ${like})`);
  }
  return c;
}
