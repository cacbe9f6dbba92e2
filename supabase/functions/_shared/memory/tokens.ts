/**
 * Token counting with a real tokenizer (gpt-tokenizer, o200k_base: the encoding of the GPT-4o
 * family and later). Budgets are counted on the exact text a prompt receives.
 */
import { countTokens, decode, encode } from "gpt-tokenizer/encoding/o200k_base";

/** Tokens in `text`. */
export function tokenCount(text: string): number {
  return text ? countTokens(text) : 0;
}

/** `text` cut to at most `max` tokens (an ellipsis, counted, marks a cut). */
export function truncateTokens(text: string, max: number): string {
  if (max <= 0) return "";
  const tokens = encode(text);
  if (tokens.length <= max) return text;
  const ellipsis = "…";
  const room = Math.max(0, max - tokenCount(ellipsis));
  let cut = decode(tokens.slice(0, room)).trimEnd() + ellipsis;
  // decoding may merge differently at the cut: shrink until it fits
  let n = room;
  while (tokenCount(cut) > max && n > 0) {
    n--;
    cut = decode(tokens.slice(0, n)).trimEnd() + ellipsis;
  }
  return tokenCount(cut) <= max ? cut : "";
}
