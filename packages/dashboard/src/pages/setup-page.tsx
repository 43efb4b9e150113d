import { Alert, Center } from '@mantine/core';
import { api } from '../api';
import { CredentialsForm } from '../components/credentials-form';
import { navigate } from '../router';

/** First run: create the owner account with the one-time token of the link `acquaint start` printed. */
export function SetupPage({ onDone }: { onDone(): void }) {
  const token = new URLSearchParams(window.location.search).get('token');
  if (!token) {
    return (
      <Center mih="100vh" p="md" component="main">
        <Alert color="gray" title="Set up Acquaint" maw={520}>
          This install has no owner account yet. Open the setup link that <code>acquaint start</code> printed
          in its terminal (it ends in <code>/setup?token=…</code>), or create the owner with{' '}
          <code>acquaint init --owner-email E --owner-password P</code>.
        </Alert>
      </Center>
    );
  }
  return (
    <CredentialsForm
      title="Welcome to Acquaint"
      intro="Create the owner account of this install. You can invite your team afterwards."
      submitLabel="Create owner account"
      newPassword
      onSubmit={(email, password) => api('POST', '/api/setup', { token, email, password })}
      onDone={() => {
        navigate('/');
        onDone();
      }}
    />
  );
}
