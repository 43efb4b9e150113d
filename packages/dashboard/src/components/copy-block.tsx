import { Button, Code, CopyButton, Stack } from '@mantine/core';

/** A block of code with a button that copies it. */
export function CopyBlock({ code, label }: { code: string; label: string }) {
  return (
    <Stack gap={4} align="flex-start">
      <Code block w="100%" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {code}
      </Code>
      <CopyButton value={code}>
        {({ copied, copy }) => (
          <Button size="xs" variant="light" onClick={copy} aria-label={`Copy ${label}`}>
            {copied ? 'Copied' : `Copy ${label}`}
          </Button>
        )}
      </CopyButton>
    </Stack>
  );
}
