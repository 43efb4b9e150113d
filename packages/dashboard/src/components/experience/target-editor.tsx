import { SegmentedControl, Stack } from '@mantine/core';
import { ConditionBuilder } from '../condition-builder/condition-builder';
import { LiveCount } from '../condition-builder/live-count';
import { GroupsPicker } from '../group-picker';
import type { Target } from './experience-types';

/** Who sees the experience: everyone, members of any of some groups, or a condition (the builder). */
export function TargetEditor({ target, onChange }: { target: Target; onChange(target: Target): void }) {
  const kind = 'groups' in target ? 'groups' : 'condition' in target ? 'condition' : 'everyone';
  return (
    <Stack gap="xs">
      <SegmentedControl
        aria-label="Target"
        w="fit-content"
        data={[
          { value: 'everyone', label: 'Everyone' },
          { value: 'groups', label: 'Groups' },
          { value: 'condition', label: 'A condition' },
        ]}
        value={kind}
        onChange={(v) =>
          onChange(
            v === 'groups'
              ? { groups: [] }
              : v === 'condition'
                ? { condition: { all: [] } }
                : { everyone: true },
          )
        }
      />
      {'groups' in target && (
        <GroupsPicker
          label="Members of any of these groups"
          placeholder="choose groups"
          maw={500}
          value={target.groups}
          onChange={(ids) => onChange({ groups: ids })}
        />
      )}
      {'condition' in target && (
        <>
          <ConditionBuilder value={target.condition} onChange={(condition) => onChange({ condition })} />
          <LiveCount condition={target.condition} />
        </>
      )}
    </Stack>
  );
}
