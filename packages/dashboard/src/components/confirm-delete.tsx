import { Button, type ButtonProps, Group, Modal, Stack, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useAction } from '../use-action';
import { ErrorNote } from './states';

interface ConfirmDeleteProps {
  label: string;
  title: string;
  consequence: string;
  onConfirm(): Promise<void>;
  buttonProps?: ButtonProps & { 'aria-label'?: string };
  /** The dialog's confirming button (`Delete` unless named). */
  confirmLabel?: string;
}

/**
 * A button for a change that cannot be undone (a delete, a key replaced) that asks first; a refusal
 * (a 409 naming what still uses it, a 403 for a viewer) shows in the dialog.
 */
export function ConfirmDelete({
  label,
  title,
  consequence,
  onConfirm,
  buttonProps,
  confirmLabel = 'Delete',
}: ConfirmDeleteProps) {
  const [open, setOpen] = useState(false);
  const remove = useAction(
    useCallback(async () => {
      await onConfirm();
      setOpen(false);
    }, [onConfirm]),
  );
  return (
    <>
      <Button {...buttonProps} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title={title}
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Stack>
          <Text size="sm">{consequence}</Text>
          <ErrorNote error={remove.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button color="red.9" loading={remove.busy} onClick={() => void remove.run()}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
