import { Button, Collapse, Group, Stack } from '@mantine/core';
import { useState } from 'react';
import { ConditionBuilder } from './condition-builder/condition-builder';
import { type Condition, childrenOf, junctionOf } from './condition-builder/condition-model';
import { LiveCount } from './condition-builder/live-count';

/** A filter of the user list built with the condition builder; applied on demand, with its live count. */
export function ConditionFilter({
  onApply,
  disabled,
}: {
  onApply(c: Condition | null): void;
  disabled: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Condition>({ all: [] });
  const [applied, setApplied] = useState(false);
  const empty = junctionOf(draft) !== null && childrenOf(draft).length === 0;
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Button
          variant="default"
          size="xs"
          disabled={disabled}
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
        >
          {open ? 'Hide filter' : 'Filter by condition'}
        </Button>
        {applied && (
          <Button
            variant="subtle"
            size="xs"
            onClick={() => {
              setApplied(false);
              setDraft({ all: [] });
              onApply(null);
            }}
          >
            Clear filter
          </Button>
        )}
      </Group>
      <Collapse in={open && !disabled}>
        {open && !disabled && (
          <Stack gap="xs">
            <ConditionBuilder value={draft} onChange={setDraft} />
            <Group>
              <LiveCount condition={draft} />
              <Button
                size="xs"
                disabled={empty}
                onClick={() => {
                  setApplied(true);
                  onApply(draft);
                }}
              >
                Apply filter
              </Button>
            </Group>
          </Stack>
        )}
      </Collapse>
    </Stack>
  );
}
