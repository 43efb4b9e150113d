import { Button, type ButtonProps, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useAction } from '../use-action';
import { ErrorNote } from './states';

interface ConfirmDeleteProps {
  label: string;
  title: string;
  consequence: string;
  onConfirm(): Promise<void>;
  buttonProps?: ButtonProps;
}

/** A delete button that asks first; a refusal (a 409 naming what still uses it) shows in the dialog. */
export function ConfirmDelete({ label, title, consequence, onConfirm, buttonProps }: ConfirmDeleteProps) {
  const [open, setOpen] = useState(false);
  const remove = useAction(onConfirm);
  return (
    <>
      <Button {...buttonProps} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={title}>
        <Stack>
          <Text size="sm">{consequence}</Text>
          <ErrorNote error={remove.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button color="red.9" loading={remove.busy} onClick={() => void remove.run()}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
