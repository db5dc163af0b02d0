/**
 * A tenant's name as the console's search compares it: accents dropped (NFKD, combining marks removed),
 * lower case, runs of white space as one space. Stored in `tenants.search_name` (migration 0018) and
 * searched by prefix along its index, so "sao" finds "São Paulo Telecom" the same way on SQLite and
 * PostgreSQL (neither database's lower() nor LIKE folds the same characters as the other).
 */
export function searchNameOf(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The exclusive upper end of a prefix's range: every string that starts with `prefix` sorts below it in
 * code point order (the column's collation on both databases), as U+10FFFF is the largest code point.
 */
export function prefixUpperBound(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}
