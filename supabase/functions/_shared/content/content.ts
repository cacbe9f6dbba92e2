/**
 * Filters over the card's content tables, shared by the leads and posts actions and the agents'
 * search tools so both read the tables the same way.
 */
import { containsPattern } from "../platform/crud.ts";
import type { Fragment, Tx } from "../platform/db.ts";

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
