import { Button, Group } from '@mantine/core';
import { useState } from 'react';
import { useApi } from '../use-api';

/** Rows a list page asks the server for at a time. */
export const PAGE_SIZE = 50;

/** The cursors of the pages seen so far: the last is the page shown (null: the first page). */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    cursor: cursors[cursors.length - 1],
    hasPrevious: cursors.length > 1,
    previous: () => setCursors((c) => c.slice(0, -1)),
    next: (cursor: string | null | undefined) => cursor && setCursors((c) => [...c, cursor]),
    restart: () => setCursors([null]),
  };
}

/**
 * One page of a list the server pages by `?limit=&cursor=` (`path` has no query, or ends in one):
 * the page's answer, its pager state, and `restart` to go back to the first page (after a change).
 */
export function useCursorList<T extends { next_cursor?: string | null }>(path: string) {
  const pages = useCursorPages();
  const { cursor } = pages;
  const glue = path.includes('?') ? '&' : '?';
  const page = useApi<T>(
    `${path}${glue}limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
  );
  return { pages, page };
}

/** Previous / next page buttons over a list paged by `next_cursor` (none while it fits in one page). */
export function CursorPager({
  pages,
  nextCursor,
  size,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null | undefined;
  size?: 'xs' | 'sm';
}) {
  if (!pages.hasPrevious && !nextCursor) return null;
  return (
    <Group mt="xs">
      <Button variant="default" size={size} disabled={!pages.hasPrevious} onClick={pages.previous}>
        Previous page
      </Button>
      <Button variant="default" size={size} disabled={!nextCursor} onClick={() => pages.next(nextCursor)}>
        Next page
      </Button>
    </Group>
  );
}
