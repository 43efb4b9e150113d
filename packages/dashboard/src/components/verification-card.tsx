import { Card, Code, Group, Stack, Switch, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../api';
import { useApi } from '../use-api';
import { ConfirmDelete } from './confirm-delete';
import { ErrorNote, Loading } from './states';

interface ProjectSettings {
  verify_identity: boolean;
  identity_secret: string;
}

/** The identity verification switch and the secret the owner's server signs user ids with. */
export function VerificationCard() {
  const { data, error, setData } = useApi<ProjectSettings>('/api/project');
  const [changeError, setChangeError] = useState<unknown>(null);
  const toggle = async (on: boolean) => {
    setChangeError(null);
    try {
      await api('PATCH', '/api/project', { verify_identity: on });
      if (data) setData({ ...data, verify_identity: on });
    } catch (e) {
      setChangeError(e);
    }
  };
  const rotate = async () => {
    const rotated = await api<{ identity_secret: string }>('POST', '/api/project/identity-secret/rotate', {});
    setData((current) => current && { ...current, identity_secret: rotated.identity_secret });
  };
  return (
    <Card withBorder component="section" aria-labelledby="verification-title">
      <Stack>
        <Title order={2} size="h3" id="verification-title">
          Identity verification
        </Title>
        <ErrorNote error={error ?? changeError} />
        {!data && !error && <Loading />}
        {data && (
          <>
            <Switch
              label="Require userHash on identify"
              checked={data.verify_identity}
              onChange={(e) => void toggle(e.currentTarget.checked)}
            />
            <Text size="sm">
              When on, every identify must carry <Code>userHash</Code> = hex HMAC-SHA256(secret, userId),
              computed by your server with this secret:
            </Text>
            <Code
              block
              data-testid="identity-secret"
              style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
            >
              {data.identity_secret}
            </Code>
            <Group>
              <ConfirmDelete
                label="Replace secret"
                confirmLabel="Replace secret"
                title="Replace the identity secret?"
                consequence="A new secret is made now. userHash values made with the current one are refused at once: update your server before turning verification on."
                buttonProps={{ variant: 'default' }}
                onConfirm={rotate}
              />
            </Group>
          </>
        )}
      </Stack>
    </Card>
  );
}
