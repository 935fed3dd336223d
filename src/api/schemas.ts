/**
 * JSON schemas shared by several routes (each route's own schema sits beside it), and the
 * parser of the range query. Fastify validates with them and @fastify/swagger writes them into
 * the OpenAPI document, so what is documented is what is checked.
 */
import { SORT_ORDERS } from "../contract/enums.js";
import type { HistoryQuery } from "../store/types.js";
import { ApiError } from "./api-error.js";

/** The body of every error answer. */
export const errorSchema = {
  type: "object",
  properties: { error: { type: "string" }, details: {} },
  required: ["error"],
} as const;

/** Query parameters of every paged list: order, page, and the API token (`?token=`, the
 * contract's; authentication reads it). */
export const PAGE_QUERY = {
  order: { type: "string", enum: SORT_ORDERS },
  limit: { type: "string", pattern: "^[0-9]{1,4}$" },
  offset: { type: "string", pattern: "^[0-9]{1,9}$" },
  token: { type: "string" },
} as const;

/** Rows of a page when the query names none, and the most a page may hold. */
export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 1000;

/** A page's limit and offset from the query (the schema checked their form). */
export function pageFrom(qs: { limit?: string; offset?: string }): {
  limit: number;
  offset: number;
} {
  return {
    limit: Math.min(Number(qs.limit ?? PAGE_DEFAULT), PAGE_MAX),
    offset: Number(qs.offset ?? 0),
  };
}

const numericQuery = (names: readonly string[]) => ({
  type: "object",
  properties: Object.fromEntries(
    names.map((n) => [n, { type: "string", pattern: "^-?[0-9]+(\\.[0-9]+)?$" }]),
  ),
});

/** A time range and a row limit, as `/metrics/history` and a host's history take them. */
export const RANGE_QUERY = numericQuery(["start", "end", "limit"]);

/** The range query as the schema lets it through. */
export interface RangeQs {
  start?: string;
  end?: string;
  limit?: string;
}

/** The range query's numbers (the schema checked their form); 400 for a bad limit. */
export function rangeFrom(qs: RangeQs): HistoryQuery {
  const q: HistoryQuery = {};
  if (qs.start !== undefined) q.start = Number(qs.start);
  if (qs.end !== undefined) q.end = Number(qs.end);
  if (qs.limit !== undefined) {
    const limit = Number(qs.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new ApiError("ERR_API_BAD_REQUEST", "limit must be a whole number of at least 1");
    }
    q.limit = limit;
  }
  return q;
}
