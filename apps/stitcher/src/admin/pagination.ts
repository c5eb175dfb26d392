import type { Response } from 'express';

/** Header naming the offset of the next page; absent on the last page. */
export const NEXT_OFFSET_HEADER = 'X-Next-Offset';

/** The list's rows as the body; a full page also says where the next one starts (there may be more). */
export function paged<T>(res: Response, rows: T[], page: { limit: number; offset: number }): T[] {
  if (rows.length === page.limit) res.setHeader(NEXT_OFFSET_HEADER, String(page.offset + page.limit));
  return rows;
}

/** For @ApiResponse: documents the header on every paginated list. */
export const PAGED_HEADERS = {
  [NEXT_OFFSET_HEADER]: { description: 'offset of the next page (only when this page is full)', schema: { type: 'integer' } },
};
