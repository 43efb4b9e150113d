import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { apiState } from '../api';

/** E-mail and password form of setup, sign-in and invitations; shows the API's refusal in the page. */
export function CredentialsForm(props: {
  title: string;
  intro?: ReactNode;
  /** Why the form is shown, above it (a session that ended). */
  notice?: string;
  submitLabel: string;
  newPassword?: boolean;
  onSubmit(email: string, password: string): Promise<{ csrf_token: string }>;
  onDone(): void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await props.onSubmit(email, password);
      apiState.csrfToken = session.csrf_token;
      props.onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w={420} maw="100%">
        <form onSubmit={submit}>
          <Stack>
            <Title order={1} size="h3">
              {props.title}
            </Title>
            {props.intro && <Text size="sm">{props.intro}</Text>}
            {props.notice && (
              <Alert color="yellow" data-testid="sign-in-notice">
                <Text size="sm" c="dark">
                  {props.notice}
                </Text>
              </Alert>
            )}
            <TextInput
              label="E-mail"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete={props.newPassword ? 'new-password' : 'current-password'}
              description={props.newPassword ? 'At least 10 characters.' : undefined}
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              {props.submitLabel}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
