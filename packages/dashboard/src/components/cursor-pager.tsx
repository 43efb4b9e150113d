import { Button, Group } from '@mantine/core';
import { useState } from 'react';

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

/** Previous / next page buttons over a list paged by `next_cursor`. */
export function CursorPager({
  pages,
  nextCursor,
  size,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null | undefined;
  size?: 'xs' | 'sm';
}) {
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
